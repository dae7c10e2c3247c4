// `hivestream bench compare --scenario <name>`: the engine's fixed costs, as
// users feel them, each against a baseline in the same session, runs
// alternating (A B A B ..., starting one further along each round), medians
// quoted:
//   startup  `hivestream pack EMPTY -o /dev/null` against `node -e 0`
//   small    library pack() of 64 KiB buffers with LZ4 from 1, 8 and 64
//            concurrent callers to files (and 1 and 8 to a Writable), and
//            node:crypto + write + rename (1 caller)
//   service  the example ingestion service under 8 concurrent 64 KiB uploads
//            against a bare node:crypto + write + rename server
//   convert  `hivestream convert --lz4` of seeded trees (2000 files of
//            16-128 KiB, 20000 of 4-16 KiB) against `xargs -P <cores> lz4 -1 -m`
import { cp, mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { packageFile } from '../../util/package-root.js';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTree } from '../../datagen/tree.js';
import { AbortError } from '../../errors.js';
import { finishMachineInfo, machineInfo, type MachineInfo } from '../machine.js';
import { findOnPath } from '../peers.js';
import { runTimed, type ProcSpec } from '../spawn.js';
import { median, round } from '../stats.js';

export const SCENARIOS = ['startup', 'small', 'service', 'convert'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioOptions {
  scenarios: Scenario[];
  runs: number;
  quick: boolean;
  log?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

interface Contender {
  id: string;
  label: string;
  command: string;
  procs: ProcSpec[];
  /** Untimed set-up before each run (removing the last run's outputs). */
  prepare?: () => Promise<void>;
  skip?: string;
}

export interface ContenderRuns {
  id: string;
  label: string;
  command: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  wallMs: number[];
  cpuMs: Array<number | null>;
  /** The JSON line the contender printed, each run (small, service). */
  reports: Array<Record<string, number>>;
  medianWallMs?: number;
  /** Median of each reported figure over the runs. */
  medians?: Record<string, number>;
}

export interface Check {
  label: string;
  value: number | null;
  /** What the issue asks: value <= max, or value >= min. */
  max?: number;
  min?: number;
  met: boolean | null;
}

export interface ScenarioResult {
  name: Scenario;
  contenders: ContenderRuns[];
  checks: Check[];
}

export interface ScenariosResult {
  kind: 'hivestream-bench-scenarios';
  version: 1;
  date: string;
  machine: MachineInfo;
  runs: number;
  scenarios: ScenarioResult[];
}

const DIST = packageFile('dist');
const ROOT = packageFile('');
const CLI = packageFile('dist/bin/hivestream.cjs');

/** Runs the contenders round-robin, `runs` rounds, starting one further along each round. */
async function alternate(contenders: Contender[], runs: number, o: ScenarioOptions): Promise<ContenderRuns[]> {
  const out: ContenderRuns[] = contenders.map((c) => ({
    id: c.id,
    label: c.label,
    command: c.command,
    status: c.skip === undefined ? 'ok' : 'skipped',
    ...(c.skip === undefined ? {} : { reason: c.skip }),
    wallMs: [],
    cpuMs: [],
    reports: [],
  }));
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (r + k) % contenders.length;
      const c = contenders[i];
      const res = out[i];
      if (c === undefined || res === undefined || res.status !== 'ok') continue;
      if (o.signal?.aborted === true) throw new AbortError('benchmark interrupted', { cause: o.signal.reason });
      await c.prepare?.();
      const t = await runTimed(c.procs);
      if (!t.ok) {
        res.status = 'failed';
        res.reason = t.error;
        continue;
      }
      res.wallMs.push(t.ms);
      res.cpuMs.push(t.cpuMs);
      const line = t.results.map((p) => p.stdout.trim().split('\n').pop() ?? '').find((l) => l.startsWith('{'));
      if (line !== undefined) res.reports.push(JSON.parse(line) as Record<string, number>);
      o.log?.(`${c.id}: run ${r + 1}/${runs}: ${Math.round(t.ms)} ms`);
    }
  }
  for (const res of out) {
    if (res.wallMs.length === 0) continue;
    res.medianWallMs = round(median(res.wallMs), 2);
    const keys = Object.keys(res.reports[0] ?? {}).filter((k) => typeof res.reports[0]?.[k] === 'number');
    if (keys.length > 0) res.medians = Object.fromEntries(keys.map((k) => [k, round(median(res.reports.map((rep) => rep[k] ?? Number.NaN)), 4)]));
  }
  return out;
}

function node(id: string, label: string, args: string[], prepare?: () => Promise<void>): Contender {
  return { id, label, command: `node ${args.map((a) => a.replace(ROOT, '')).join(' ')}`, procs: [{ file: process.execPath, args, stdout: 'capture' }], ...(prepare === undefined ? {} : { prepare }) };
}

function check(label: string, value: number | undefined, bound: { max?: number; min?: number }): Check {
  const v = value === undefined || !Number.isFinite(value) ? null : round(value, 3);
  const met = v === null ? null : (bound.max === undefined || v <= bound.max) && (bound.min === undefined || v >= bound.min);
  return { label, value: v, ...bound, met };
}

function figure(runs: ContenderRuns[], id: string, key?: string): number | undefined {
  const c = runs.find((x) => x.id === id);
  return key === undefined ? c?.medianWallMs : c?.medians?.[key];
}

async function startup(o: ScenarioOptions, work: string): Promise<ScenarioResult> {
  const empty = join(work, 'empty');
  await writeFile(empty, '');
  const runs = await alternate(
    [node('hs-pack-empty', 'hivestream pack EMPTY -o /dev/null', [CLI, 'pack', empty, '-o', '/dev/null', '-q']), node('node-e-0', 'node -e 0', ['-e', '0'])],
    o.runs * 3,
    o,
  );
  const ratio = (figure(runs, 'hs-pack-empty') ?? Number.NaN) / (figure(runs, 'node-e-0') ?? Number.NaN);
  return { name: 'startup', contenders: runs, checks: [check('pack EMPTY wall / node -e 0 wall', ratio, { max: 1.5 })] };
}

async function small(o: ScenarioOptions, work: string): Promise<ScenarioResult> {
  const script = join(DIST, 'bench', 'scenarios', 'small-calls.js');
  const calls = o.quick ? 1000 : 5000;
  const c = (id: string, label: string, impl: string, callers: number, lz4: boolean, sink = 'file'): Contender =>
    node(id, label, [script, '--impl', impl, '--callers', String(callers), '--calls', String(calls), '--size', String(64 * 1024), '--dir', join(work, id), '--sink', sink, ...(lz4 ? ['--lz4'] : [])], async () => {
      await rm(join(work, id), { recursive: true, force: true });
      await mkdir(join(work, id), { recursive: true });
    });
  const runs = await alternate(
    [
      c('hs-1', 'pack(), 1 caller, LZ4', 'hivestream', 1, true),
      c('hs-8', 'pack(), 8 callers, LZ4', 'hivestream', 8, true),
      c('hs-64', 'pack(), 64 callers, LZ4', 'hivestream', 64, true),
      c('crypto-1', 'node:crypto SHA-256 + write + rename, 1 caller', 'baseline', 1, false),
      c('hs-1-mem', 'pack() to a Writable, 1 caller, LZ4', 'hivestream', 1, true, 'memory'),
      c('hs-8-mem', 'pack() to a Writable, 8 callers, LZ4', 'hivestream', 8, true, 'memory'),
    ],
    o.runs,
    o,
  );
  const per = (id: string, k: string): number | undefined => figure(runs, id, k);
  const rate = (id: string): number => per(id, 'callsPerSec') ?? Number.NaN;
  return {
    name: 'small',
    contenders: runs,
    checks: [
      check('sequential pack() to a file: ms per call', per('hs-1', 'msPerCall'), { max: 0.2 }),
      check('sequential pack() to a Writable (no file system): ms per call', per('hs-1-mem', 'msPerCall'), { max: 0.2 }),
      check('8 callers to a Writable: calls/s over 1 caller', rate('hs-8-mem') / rate('hs-1-mem'), { min: 2 }),
      check('8 callers: calls/s over 1 caller', rate('hs-8') / rate('hs-1'), { min: 2 }),
      check('64 callers: calls/s over 1 caller', rate('hs-64') / rate('hs-1'), { min: 2 }),
      check('8 callers: p99 latency, ms', per('hs-8', 'p99Ms'), { max: 5 }),
      // One caller runs on the main thread (no worker started): flatness is judged from 8 callers, where the pool is up.
      check('peak threads, 64 callers over 8 callers', (per('hs-64', 'threadsPeak') ?? Number.NaN) / (per('hs-8', 'threadsPeak') ?? Number.NaN), { max: 1.1 }),
      check('peak RSS, 64 callers over 8 callers', (per('hs-64', 'rssPeakMiB') ?? Number.NaN) / (per('hs-8', 'rssPeakMiB') ?? Number.NaN), { max: 1.1 }),
      check('peak threads, 1 caller (no worker threads: runs inline)', per('hs-1', 'threadsPeak'), {}),
      check('sequential pack() over node:crypto + write + rename, ms per call', (per('hs-1', 'msPerCall') ?? Number.NaN) / (per('crypto-1', 'msPerCall') ?? Number.NaN), {}),
    ],
  };
}

async function service(o: ScenarioOptions, work: string): Promise<ScenarioResult> {
  const script = join(DIST, 'bench', 'scenarios', 'service-load.js');
  const requests = o.quick ? 1000 : 4000;
  const c = (id: string, label: string, server: string): Contender =>
    node(id, label, [script, '--server', server, '--clients', '8', '--requests', String(requests), '--size', String(64 * 1024), '--dir', join(work, id)]);
  const runs = await alternate(
    [c('ingest-server', 'examples/ingest-server.mjs, 8 clients, 64 KiB uploads', join(ROOT, 'examples', 'ingest-server.mjs')), c('crypto-server', 'bench/crypto-server.mjs (node:crypto + write + rename)', join(ROOT, 'bench', 'crypto-server.mjs'))],
    o.runs,
    o,
  );
  const ratio = (k: string): number => (figure(runs, 'ingest-server', k) ?? Number.NaN) / (figure(runs, 'crypto-server', k) ?? Number.NaN);
  return {
    name: 'service',
    contenders: runs,
    checks: [check('per-request time (p50) over the bare server', ratio('p50Ms'), { max: 2 }), check('time per request at 8 clients over the bare server', ratio('msPerRequest'), { max: 2 })],
  };
}

/** Removes what `lz4 -m` wrote next to the inputs. */
async function removeLz4(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.lz4')) await unlink(join(e.parentPath, e.name));
  }
}

async function convertTree(o: ScenarioOptions, work: string, name: string, files: number, min: number, max: number): Promise<{ runs: ContenderRuns[]; check: Check }> {
  const tree = join(work, `${name}-in`);
  const copy = join(work, `${name}-lz4`);
  const out = join(work, `${name}-out`);
  o.log?.(`generating ${files} files of ${min}..${max} bytes`);
  await writeTree(tree, { files, minSize: min, maxSize: max, profile: 'text', seed: 1 });
  await cp(tree, copy, { recursive: true });
  const lz4 = findOnPath('lz4');
  const cores = availableParallelism();
  const peer: Contender = {
    id: `${name}-lz4`,
    label: `xargs -P ${cores} lz4 -1 -m`,
    command: `find T -type f -print0 | xargs -0 -P ${cores} -n 1000 lz4 -1 -q -f -m`,
    procs: [{ file: '/bin/sh', args: ['-c', `find '${copy}' -type f -print0 | xargs -0 -P ${cores} -n 1000 '${lz4 ?? 'lz4'}' -1 -q -f -m`], stdout: 'ignore' }],
    prepare: () => removeLz4(copy),
    ...(lz4 === undefined ? { skip: 'lz4 not found on PATH' } : {}),
  };
  const ours = node(`${name}-hivestream`, 'hivestream convert --to hvs --lz4', [CLI, 'convert', tree, '--to', 'hvs', '--lz4', '-o', out, '-q'], () => rm(out, { recursive: true, force: true }));
  const runs = await alternate([ours, peer], o.runs, o);
  const ratio = (figure(runs, peer.id) ?? Number.NaN) / (figure(runs, ours.id) ?? Number.NaN);
  await rm(copy, { recursive: true, force: true });
  await rm(tree, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
  return { runs, check: check(`${files} files: lz4 peer wall / hivestream wall (aim 1.5)`, ratio, { min: 1 }) };
}

async function convert(o: ScenarioOptions, work: string): Promise<ScenarioResult> {
  const KiB = 1024;
  const a = await convertTree(o, work, 'tree2k', o.quick ? 200 : 2000, 16 * KiB, 128 * KiB);
  const b = await convertTree(o, work, 'tree20k', o.quick ? 2000 : 20_000, 4 * KiB, 16 * KiB);
  return { name: 'convert', contenders: [...a.runs, ...b.runs], checks: [a.check, b.check] };
}

const RUNNERS: Record<Scenario, (o: ScenarioOptions, work: string) => Promise<ScenarioResult>> = { startup, small, service, convert };

export async function runScenarios(o: ScenarioOptions): Promise<ScenariosResult> {
  const machine = machineInfo();
  const work = await mkdtemp(join(tmpdir(), 'hvs-scenarios-'));
  try {
    const scenarios: ScenarioResult[] = [];
    for (const name of o.scenarios) {
      o.log?.(`scenario ${name}`);
      scenarios.push(await RUNNERS[name](o, work));
    }
    finishMachineInfo(machine);
    return { kind: 'hivestream-bench-scenarios', version: 1, date: new Date().toISOString(), machine, runs: o.runs, scenarios };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
