#!/usr/bin/env node
// The hivestream command: dispatch, help, and the mapping of errors to one
// line on stderr and a distinct exit code (no stack trace for bad input).
import { readFileSync } from 'node:fs';
import { packageFile } from '../util/package-root.js';
import { describeFallbacks, onFallback } from '../engine/backends/fallback.js';
import { parse, UsageError, type Command, type CommandContext } from './command.js';
import { IoError } from '../errors.js';
import { removeLivePartialsSync } from '../io/live-partials.js';
import { failureOf, jsonRequest } from './failure.js';
import { setNoticesAsJson, writeNotice } from './progress.js';
/**
 * Commands load on demand: each pulls in a different part of the library,
 * and a run needs only one of them (start-up time counts for a CLI).
 */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: CommandEntry[] = [
  { name: 'pack', summary: 'pack a file (or stdin) into a verified container', load: async () => (await import('./commands/pack.js')).packCommand },
  { name: 'unpack', summary: 'restore the original bytes of a container, verifying every chunk', load: async () => (await import('./commands/unpack.js')).unpackCommand },
  { name: 'verify', summary: 'check every chunk, the chain and the root digest of a container', load: async () => (await import('./commands/verify.js')).verifyCommand },
  { name: 'index', summary: 'give a dataset container a record index (random access, full shuffles)', load: async () => (await import('./commands/index-cmd.js')).indexCommand },
  { name: 'process', summary: 'run your own function on every chunk in the worker pool, results in order', load: async () => (await import('./commands/process.js')).processCommand },
  { name: 'inspect', summary: 'show a container header, chunk count, sizes, ratio and root digest', load: async () => (await import('./commands/inspect.js')).inspectCommand },
  { name: 'info', summary: 'show CPU features, available SHA-256 and LZ4 back ends and their speed here', load: async () => (await import('./commands/info.js')).infoCommand },
  { name: 'convert', summary: 'pack a tree of files into containers (or unpack them), resumable and shardable', load: async () => (await import('./commands/convert.js')).convertCommand },
  { name: 'manifest', summary: 'merge the manifests of a sharded convert job and report missing or duplicated files', load: async () => (await import('./commands/manifest.js')).manifestCommand },
  { name: 'clean', summary: 'remove temporary outputs (.partial) that killed or crashed writers left behind', load: async () => (await import('./commands/clean.js')).cleanCommand },
  { name: 'demo', summary: 'generate a sample, pack it with LZ4, verify, unpack, compare, and report speeds', load: async () => (await import('./commands/demo.js')).demoCommand },
  { name: 'gen', summary: 'write seeded sample data (text, tensor, random, mixed) of any size', load: async () => (await import('./commands/gen.js')).genCommand },
  { name: 'bench', summary: 'benchmarks: compare with openssl/sha256sum/lz4, or sweep workers x chunk size x codec x data', load: async () => (await import('./commands/bench.js')).benchCommand },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: hivestream <command> [options]

Fast, integrity-checked chunk processing: SHA-256 and LZ4 over a worker
pool, into an Avro container any Avro reader can open.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'hivestream <command> --help' for a command's options. With --json,
every command prints its report as one JSON object on stdout, and a failure
as {"error": {"code", "message", "exitCode", ...}}.
Exit codes: 0 ok, 2 bad arguments, 3 not a valid container, 4 checksum
mismatch, 5 truncated container, 6 frame over limit, 7 I/O error,
8 circuit breaker open (the worker pool kept failing), 9 retries
exhausted, 12 input changed while read, 14 back end unavailable, 15 a
batch job incomplete (files failed, missing or done twice), 16 unreadable
manifest, 17 another kind of container than expected, 18 dtype
mismatch, 20 bad or missing record index, 21 signature missing, invalid
or by another key, 22 your function failed (process), 130 interrupted.
The README lists them all.
`;
}

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const entry = COMMANDS.find((c) => c.name === rest[0]);
    const sub = entry === undefined ? undefined : await entry.load();
    ctx.stdout.write(sub === undefined ? mainHelp() : `usage: ${sub.usage}\n\n${sub.help}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    ctx.stdout.write(`hivestream ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) throw new UsageError('', `unknown command ${JSON.stringify(name)}`);
  const cmd = await entry.load();
  const args = parse(cmd, rest);
  if (args === 'help') {
    ctx.stdout.write(`usage: ${cmd.usage}\n\n${cmd.help}\n`);
    return 0;
  }
  return cmd.run(args, ctx);
}

/** A broken pipe on standard output: the same I/O error (exit 7) for every command. */
function brokenPipe(cause: unknown): IoError {
  return new IoError('write', 'standard output', { cause });
}

async function cli(): Promise<void> {
  const ctl = new AbortController();
  let interrupted = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted++;
    if (interrupted > 1) {
      // No time for the runs to clean up: remove their temporary outputs here, synchronously.
      removeLivePartialsSync();
      process.exit(130);
    }
    ctl.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that goes away (| head): stop the run, report it as the I/O error it is.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') ctl.abort(brokenPipe(err));
  });
  // Once per process: a run on a slower back end than this machine could have.
  if (process.env.HIVESTREAM_QUIET_FALLBACK !== '1') {
    onFallback((found) => {
      for (const line of describeFallbacks(found)) writeNotice(process.stderr, 'fallback', `${line} (HIVESTREAM_QUIET_FALLBACK=1 hides this)`, { fallbacks: found });
    });
  }
  const argv = process.argv.slice(2);
  const asked = jsonRequest(argv);
  setNoticesAsJson(asked.progressJson);
  let code: number;
  try {
    code = await main(argv, { signal: ctl.signal, stdout: process.stdout, stderr: process.stderr });
  } catch (err) {
    // A broken pipe is reported as the I/O error it is, whatever the run made of it on the way.
    const reason: unknown = ctl.signal.reason;
    const shown = interrupted === 0 && reason instanceof IoError ? reason : err;
    // A signal ends the run whatever the error it caused on the way.
    const failure = ctl.signal.aborted && interrupted > 0 ? { ...failureOf(shown), code: 'E_ABORTED', exitCode: 130 } : failureOf(shown);
    // One line for people; with --progress=json one JSON event, so that stderr stays NDJSON.
    writeNotice(process.stderr, 'error', failure.message, { error: failure });
    if (process.env.HIVESTREAM_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
    code = failure.exitCode;
    if (asked.json) (asked.dataOnStdout ? process.stderr : process.stdout).write(JSON.stringify({ error: failure }) + '\n');
  }
  process.exitCode = code;
  // A write or open still blocked in the kernel (a FIFO nobody reads) must not keep an aborted process alive.
  if (ctl.signal.aborted) setTimeout(() => process.exit(code), 1000).unref();
}

// Not top-level await: the command ships as a CommonJS bundle (scripts/bundle.mjs).
cli().catch((err: unknown) => {
  process.stderr.write(`hivestream: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 70;
});
