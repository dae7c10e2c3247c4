// `hivestream bench compare`: hivestream against openssl, sha256sum, lz4 and
// two baselines on one generated file, in one session. Every contender is a
// child process timed by the wall clock; each run goes round all contenders
// (starting one further along every run), and the report gives medians.
import { spawnSync } from 'node:child_process';
import { packageFile } from '../util/package-root.js';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from '../api.js';
import { writeSample } from '../datagen/generate.js';
import type { Profile } from '../util/profiles.js';
import { AbortError } from '../errors.js';
import { closeIdlePools } from '../engine/main/process-engine.js';
import { contenderSpecs, RATIOS, type ContenderSpec, type Group, type Kind } from './contenders.js';
import { finishMachineInfo, machineInfo, pageCacheResident, warmRead, type MachineInfo } from './machine.js';
import { findTools } from './peers.js';
import { runTimed } from './spawn.js';
import { mbPerSec, median, min, round } from './stats.js';

export interface CompareOptions {
  size: number;
  profile: Profile;
  seed: number;
  runs: number;
  chunkSize?: number;
  workers?: number;
  quick: boolean;
  /** PATH used to find the peers (default: this process's). */
  pathEnv?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ContenderResult {
  id: string;
  label: string;
  group: Group;
  kind: Kind;
  command: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  /** Wall-clock ms of each run, in run order. */
  runsMs: number[];
  /** CPU ms (user + system, every process and thread of the contender) of each run. */
  cpuRunsMs: number[];
  /** Median CPU time per run, ms: how much machine the work takes, whatever the load. */
  cpuMs?: number;
  medianMs?: number;
  minMs?: number;
  /** Raw bytes / median wall time. */
  mbPerSec?: number;
  bestMbPerSec?: number;
  /** hivestream and baselines: median of the durationMs they report (no process start-up). */
  inProcessMs?: number;
  rootDigest?: string;
}

export interface RatioResult {
  label: string;
  ours: string;
  peer: string;
  /** Peer median time / our median time: above 1, hivestream is faster. */
  ratio: number | null;
  /** Median over runs of each run's own ratio. */
  pairedRatio: number | null;
  target?: number;
  /** null when the target does not apply (other profile) or a side was skipped. */
  met?: boolean | null;
  note?: string;
}

export interface CompareResult {
  kind: 'hivestream-bench-compare';
  version: 1;
  date: string;
  machine: MachineInfo;
  config: { profile: Profile; size: number; seed: number; runs: number; chunkSize: number | null; workers: number | null; quick: boolean };
  files: { rawBytes: number; containerBytes: number; lz4ContainerBytes: number; lz4FileBytes: number | null; warmReadMbPerSec: number; pageCache: { before: number | null; after: number | null } };
  contenders: ContenderResult[];
  ratios: RatioResult[];
  /** hivestream's contenders all gave the root digest the baselines computed. */
  digestsAgree: boolean;
}

function inProcess(stdout: string): { ms?: number; root?: string } {
  try {
    const r = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { durationMs?: unknown; rootDigest?: unknown };
    return { ...(typeof r.durationMs === 'number' ? { ms: r.durationMs } : {}), ...(typeof r.rootDigest === 'string' ? { root: r.rootDigest } : {}) };
  } catch {
    return {};
  }
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError('benchmark interrupted', { cause: signal.reason });
}

export async function runCompare(o: CompareOptions): Promise<CompareResult> {
  const log = o.log ?? ((): void => undefined);
  const pathEnv = o.pathEnv ?? process.env.PATH;
  const machine = machineInfo(pathEnv);
  const tools = findTools(['openssl', 'sha256sum', 'lz4'], pathEnv);
  const dir = await mkdtemp(join(tmpdir(), 'hivestream-bench-'));
  try {
    const file = join(dir, `data-${o.profile}.bin`);
    log(`generating ${o.size} bytes of '${o.profile}' (seed ${o.seed}) in ${dir}`);
    await writeSample(file, { profile: o.profile, size: o.size, seed: o.seed });
    checkAbort(o.signal);
    const container = join(dir, 'data.hvs');
    const lz4Container = join(dir, 'data-lz4.hvs');
    const tuning = { chunkSize: o.chunkSize, workers: o.workers, signal: o.signal };
    await pack(file, container, tuning);
    await pack(file, lz4Container, { ...tuning, compression: 'lz4' });
    await closeIdlePools();
    const lz4Path = tools.get('lz4')?.path;
    let lz4File: string | undefined;
    if (lz4Path !== undefined) {
      lz4File = `${file}.lz4`;
      spawnSync(lz4Path, ['-1', '-q', '-f', file, lz4File], { stdio: 'ignore' });
    }
    // Read everything once so every contender starts from the page cache.
    const warmReadMbPerSec = await warmRead(file);
    for (const f of [container, lz4Container, ...(lz4File === undefined ? [] : [lz4File])]) await warmRead(f);
    const before = pageCacheResident(file, pathEnv);

    const specs = contenderSpecs(
      { file, container, lz4Container, lz4File, chunkSize: o.chunkSize, workers: o.workers },
      { node: process.execPath, cli: packageFile('dist/bin/hivestream.cjs'), baselines: packageFile('dist/bench/baselines') + '/', tools },
    );
    const results = specs.map((s): ContenderResult => ({
      id: s.id, label: s.label, group: s.group, kind: s.kind, command: s.command,
      status: s.skip === undefined ? 'ok' : 'skipped', ...(s.skip === undefined ? {} : { reason: s.skip }), runsMs: [], cpuRunsMs: [],
    }));
    const inProc = new Map<string, number[]>();
    const env = { ...process.env, PATH: pathEnv };
    const runnable = specs.map((s, i) => ({ s, r: results[i] })).filter((x): x is { s: ContenderSpec; r: ContenderResult } => x.r !== undefined && x.s.skip === undefined);
    for (let run = 0; run < o.runs; run++) {
      // Rotate the order so no contender always runs first (or right after a given one).
      for (let k = 0; k < runnable.length; k++) {
        checkAbort(o.signal);
        const c = runnable[(k + run) % runnable.length];
        if (c === undefined || c.r.status === 'failed') continue;
        const t = await runTimed(c.s.procs, env);
        if (!t.ok) {
          c.r.status = 'failed';
          c.r.reason = t.error ?? 'failed';
          log(`  ${c.s.label}: FAILED (${c.r.reason})`);
          continue;
        }
        c.r.runsMs.push(round(t.ms, 2));
        if (t.cpuMs !== null) c.r.cpuRunsMs.push(t.cpuMs);
        const rep = inProcess(t.results[0]?.stdout ?? '');
        if (rep.ms !== undefined) inProc.set(c.s.id, [...(inProc.get(c.s.id) ?? []), rep.ms]);
        if (rep.root !== undefined) c.r.rootDigest = rep.root;
        log(`  run ${run + 1}/${o.runs} ${c.s.label.padEnd(40)} ${(t.ms / 1000).toFixed(3)} s${t.cpuMs === null ? '' : `, CPU ${(t.cpuMs / 1000).toFixed(2)} s`}`);
      }
    }
    const after = pageCacheResident(file, pathEnv);
    finishMachineInfo(machine);
    for (const r of results) {
      if (r.status !== 'ok' || r.runsMs.length === 0) continue;
      r.medianMs = round(median(r.runsMs), 2);
      r.minMs = round(min(r.runsMs), 2);
      r.mbPerSec = round(mbPerSec(o.size, r.medianMs), 1);
      r.bestMbPerSec = round(mbPerSec(o.size, r.minMs), 1);
      const ip = inProc.get(r.id);
      if (ip !== undefined && ip.length > 0) r.inProcessMs = round(median(ip), 2);
      if (r.cpuRunsMs.length > 0) r.cpuMs = round(median(r.cpuRunsMs), 0);
    }
    const roots = new Set(results.map((r) => r.rootDigest).filter((d) => d !== undefined));
    return {
      kind: 'hivestream-bench-compare',
      version: 1,
      date: new Date().toISOString(),
      machine,
      config: { profile: o.profile, size: o.size, seed: o.seed, runs: o.runs, chunkSize: o.chunkSize ?? null, workers: o.workers ?? null, quick: o.quick },
      files: {
        rawBytes: o.size,
        containerBytes: (await stat(container)).size,
        lz4ContainerBytes: (await stat(lz4Container)).size,
        lz4FileBytes: lz4File === undefined ? null : (await stat(lz4File)).size,
        warmReadMbPerSec,
        pageCache: { before, after },
      },
      contenders: results,
      ratios: ratios(results, o.profile),
      digestsAgree: roots.size <= 1,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function ratios(results: ContenderResult[], profile: Profile): RatioResult[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  return RATIOS.map((spec): RatioResult => {
    const ours = byId.get(spec.ours);
    const peer = byId.get(spec.peer);
    const base = { label: spec.label, ours: spec.ours, peer: spec.peer, ...(spec.target === undefined ? {} : { target: spec.target }) };
    if (ours?.medianMs === undefined || peer?.medianMs === undefined) {
      const why = [ours, peer].find((r) => r?.status !== 'ok');
      return { ...base, ratio: null, pairedRatio: null, ...(spec.target === undefined ? {} : { met: null }), note: `${why?.label ?? 'a contender'} ${why?.status ?? 'missing'}${why?.reason === undefined ? '' : `: ${why.reason}`}` };
    }
    const ratio = round(peer.medianMs / ours.medianMs, 3);
    const n = Math.min(ours.runsMs.length, peer.runsMs.length);
    const paired = Array.from({ length: n }, (_, i) => (peer.runsMs[i] ?? Number.NaN) / (ours.runsMs[i] ?? Number.NaN));
    const applies = spec.targetProfile === undefined || spec.targetProfile === profile;
    const target = spec.target === undefined ? {} : { met: applies ? ratio >= spec.target : null, ...(applies ? {} : { note: `target stated for the ${spec.targetProfile ?? ''} profile` }) };
    return { ...base, ratio, pairedRatio: round(median(paired), 3), ...target };
  });
}
