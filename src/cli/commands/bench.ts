// bench: the end-to-end comparison with peer tools (compare) and the
// capacity sweep (sweep). Results print as text, or as JSON with --json;
// --json-out and --html write files.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PROFILES, type Profile } from '../../util/profiles.js';
import { ValidationError } from '../../errors.js';
import { GiB, KiB, MiB, parseSize, resolveChunkSize, resolveWorkers } from '../../options.js';
import { runCompare } from '../../bench/compare.js';
import { compareText } from '../../bench/compare-text.js';
import { runSweep, type Codec } from '../../bench/sweep.js';
import { sweepText } from '../../bench/sweep-text.js';
import { sweepHtml } from '../../bench/sweep-html.js';
import { flag, int, str, UsageError, type Command, type CommandContext, type ParsedArgs } from '../command.js';

function profile(text: string): Profile {
  if (!(PROFILES as readonly string[]).includes(text)) throw new ValidationError('--profile', `${text} is not one of ${PROFILES.join(', ')}`);
  return text as Profile;
}

function list<T>(args: ParsedArgs, name: string, fallback: T[], each: (s: string) => T): T[] {
  const v = str(args, name);
  if (v === undefined) return fallback;
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new ValidationError(`--${name}`, 'is an empty list');
  return items.map(each);
}

async function save(path: string | undefined, text: string, ctx: CommandContext): Promise<void> {
  if (path === undefined) return;
  if (path === '-') {
    ctx.stdout.write(text);
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** --json: the result as JSON on stdout instead of the table; --json-out FILE: also into a file ('-': stdout). */
async function report(args: ParsedArgs, ctx: CommandContext, result: unknown, table: string): Promise<void> {
  const text = JSON.stringify(result, null, 2) + '\n';
  if (flag(args, 'json')) ctx.stdout.write(text);
  else ctx.stdout.write(table);
  const out = str(args, 'json-out');
  if (out !== undefined && !(out === '-' && flag(args, 'json'))) await save(out, text, ctx);
}

function progress(args: ParsedArgs, ctx: CommandContext): ((line: string) => void) | undefined {
  return flag(args, 'verbose') || ctx.stderr.isTTY === true ? (line) => ctx.stderr.write(line + '\n') : undefined;
}

async function scenarios(args: ParsedArgs, ctx: CommandContext, which: string): Promise<number> {
  const { runScenarios, SCENARIOS } = await import('../../bench/scenarios/run.js');
  const { scenariosText } = await import('../../bench/scenarios/text.js');
  const names = which === 'all' ? [...SCENARIOS] : which.split(',').map((s) => s.trim());
  for (const n of names) if (!(SCENARIOS as readonly string[]).includes(n)) throw new ValidationError('--scenario', `${n} is not one of all, ${SCENARIOS.join(', ')}`);
  const quick = flag(args, 'quick');
  const result = await runScenarios({
    scenarios: names as Array<(typeof SCENARIOS)[number]>,
    runs: Math.max(1, int(args, 'runs') ?? (quick ? 1 : 5)),
    quick,
    log: progress(args, ctx),
    signal: ctx.signal,
  });
  await report(args, ctx, result, scenariosText(result));
  return result.scenarios.some((s) => s.contenders.some((c) => c.status === 'failed')) ? 1 : 0;
}

async function compare(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const scenario = str(args, 'scenario');
  if (scenario !== undefined && scenario !== 'file') return scenarios(args, ctx, scenario);
  const quick = flag(args, 'quick');
  const chunk = str(args, 'chunk-size');
  const workers = int(args, 'workers');
  if (str(args, 'html') !== undefined) throw new UsageError('bench', '--html is for bench sweep');
  const result = await runCompare({
    size: parseSize(str(args, 'size') ?? (quick ? '64MiB' : '1GiB'), '--size'),
    profile: profile(str(args, 'profile') ?? 'text'),
    seed: int(args, 'seed') ?? 1,
    runs: Math.max(1, int(args, 'runs') ?? (quick ? 1 : 5)),
    ...(chunk === undefined ? {} : { chunkSize: resolveChunkSize(chunk) }),
    ...(workers === undefined ? {} : { workers: resolveWorkers(workers) }),
    quick,
    log: progress(args, ctx),
    signal: ctx.signal,
  });
  await report(args, ctx, result, compareText(result));
  return result.contenders.some((c) => c.status === 'failed') ? 1 : 0;
}

async function sweep(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const quick = flag(args, 'quick');
  const codecs = list<Codec>(args, 'codec', ['none', 'lz4'], (s) => {
    if (s !== 'none' && s !== 'lz4') throw new ValidationError('--codec', `${s} is not none or lz4`);
    return s;
  });
  const result = await runSweep({
    size: parseSize(str(args, 'size') ?? (quick ? '32MiB' : '256MiB'), '--size'),
    runs: Math.max(1, int(args, 'runs') ?? (quick ? 1 : 3)),
    seed: int(args, 'seed') ?? 1,
    workers: list(args, 'workers', quick ? [1, 2] : [1, 2, 4], (s) => resolveWorkers(Number(s))),
    chunkSizes: list(args, 'chunk-size', quick ? [64 * KiB, MiB] : [64 * KiB, 256 * KiB, MiB, 4 * MiB], resolveChunkSize),
    codecs,
    profiles: list(args, 'profile', quick ? ['text', 'random'] : [...PROFILES], profile),
    rssSizes: list(args, 'rss-sizes', quick ? [32 * MiB, 128 * MiB] : [256 * MiB, GiB, 4 * GiB], (s) => parseSize(s, '--rss-sizes')),
    quick,
    log: progress(args, ctx),
    signal: ctx.signal,
  });
  await report(args, ctx, result, sweepText(result));
  await save(str(args, 'html'), sweepHtml(result), ctx);
  return 0;
}

export const benchCommand: Command = {
  name: 'bench',
  usage: 'hivestream bench <compare|sweep> [--quick] [options]',
  help: `compare: generates one file, then times hivestream pack, pack --lz4, verify
and unpack against openssl dgst -sha256, sha256sum, lz4 -1, lz4 -d and two
baselines (naive single thread; Piscina copying chunks), each a child
process, round-robin over --runs runs; prints medians, MB/s and ratios.
Peers missing from PATH are reported as skipped.
With --scenario, compare measures the engine's fixed costs instead:
startup (pack EMPTY vs node -e 0), small (library pack() of 64 KiB from 1,
8 and 64 callers), service (the example ingestion service vs a bare
node:crypto server), convert (trees of 2000 and 20000 small files vs
xargs lz4 -m); 'all' runs every one. Targets are checked and reported.

sweep: packs generated files across workers x chunk size x codec x profile
(one child process per run) and reports throughput, per-chunk latency p50
and p99, peak RSS and CPU use, plus peak RSS across input sizes.

Options:
      --quick              small sizes and one run (well under a minute)
      --scenario <list>    compare: file (default), startup, small, service, convert, or all
      --size <n>           input size (compare: 1GiB, quick 64MiB; sweep: 256MiB, quick 32MiB)
      --runs <n>           runs per contender / point (compare 5, sweep 3; quick 1)
      --profile <list>     data profile(s): ${PROFILES.join(', ')} (compare: one, default text)
      --seed <n>           generator seed (default 1)
  -c, --chunk-size <list>  chunk size(s) (compare: one, default 1MiB)
  -w, --workers <list>     worker count(s) (compare: one, default: available parallelism)
      --codec <list>       sweep: none, lz4 (default both)
      --rss-sizes <list>   sweep: input sizes for the peak-RSS series (default 256MiB,1GiB,4GiB)
      --json               print the result as JSON on stdout instead of the table
      --json-out <file>    also write the result as JSON into a file
      --html <file>        sweep: write a self-contained HTML report with charts
      --verbose            progress lines on stderr (default when stderr is a terminal)`,
  options: {
    quick: { type: 'boolean' },
    size: { type: 'string' },
    runs: { type: 'string' },
    profile: { type: 'string' },
    seed: { type: 'string' },
    'chunk-size': { type: 'string', short: 'c' },
    workers: { type: 'string', short: 'w' },
    codec: { type: 'string' },
    'rss-sizes': { type: 'string' },
    json: { type: 'boolean' },
    'json-out': { type: 'string' },
    html: { type: 'string' },
    verbose: { type: 'boolean' },
    scenario: { type: 'string' },
  },
  // Two, so that the old form `--json FILE` gets a hint rather than a bare error.
  positionals: [1, 2],
  async run(args, ctx) {
    const sub = args.positionals[0];
    if (args.positionals.length > 1) throw new UsageError('bench', `unexpected argument ${JSON.stringify(args.positionals[1])}${flag(args, 'json') ? ' (--json takes no value: --json-out FILE writes a file)' : ''}`);
    if (sub === 'compare') return await compare(args, ctx);
    if (sub === 'sweep') return await sweep(args, ctx);
    throw new UsageError('bench', `unknown benchmark ${JSON.stringify(sub)}: use compare or sweep`);
  },
};
