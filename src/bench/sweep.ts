// `hivestream bench sweep`: capacity planning. Packs generated files across
// workers x chunk size x codec x data profile, each run in its own process
// (dist/bench/run-one.js), round-robin over the runs; then packs growing
// inputs to show peak RSS does not grow with the input.
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { packageFile } from '../util/package-root.js';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSample } from '../datagen/generate.js';
import type { Profile } from '../util/profiles.js';
import { AbortError, HiveError } from '../errors.js';
import { MiB } from '../options.js';
import { finishMachineInfo, machineInfo, warmRead, type MachineInfo } from './machine.js';
import type { RunOneConfig, RunOneResult } from './run-one.js';
import { runTimed } from './spawn.js';
import { mbPerSec, median, round, weightedPercentile } from './stats.js';
import { sweepTargets, type Target } from './targets.js';

export type Codec = 'none' | 'lz4';

export interface SweepOptions {
  size: number;
  runs: number;
  seed: number;
  workers: number[];
  chunkSizes: number[];
  codecs: Codec[];
  profiles: Profile[];
  rssSizes: number[];
  quick: boolean;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface SweepPoint {
  workers: number;
  chunkSize: number;
  codec: Codec;
  profile: Profile;
  bytes: number;
  /** Median over runs of bytes / in-process pack time, steady state (a second pass in the process). */
  mbPerSec: number;
  mbPerSecRuns: number[];
  /** The same for the first pass (fresh ring, cold code): what one CLI run sees after start-up. */
  coldMbPerSec: number;
  /** A task's latency (hand-off to the pool until done, queueing included) divided by its chunks; percentiles over chunks of all runs. */
  chunkLatencyMs: Percentiles;
  /** The latency of the task that carried each chunk; percentiles over chunks of all runs. */
  taskLatencyMs: Percentiles;
  /** Largest peak RSS of the runs' processes. */
  peakRssBytes: number;
  /** Each run's peak RSS, in run order. */
  peakRssRuns: number[];
  /** CPU time (user + system, all threads) / wall time of the pack, median; 100 = one core busy. */
  cpuPercent: number;
  /** Container bytes / raw bytes. */
  storedRatio: number;
  /**
   * Back ends of each run, "hash/lz4". 'auto' picks them by a short timing in
   * each process, so on a loaded machine a run may get a slower one (LZ4 by
   * lz4-napi: about half the speed and twice the RSS of the native one).
   */
  backendRuns: string[];
}

export interface RssPoint {
  bytes: number;
  backendRuns: string[];
  /** Largest of the runs. */
  peakRssBytes: number;
  peakRssRuns: number[];
  mbPerSec: number;
}

export interface SweepResult {
  kind: 'hivestream-bench-sweep';
  version: 1;
  date: string;
  machine: MachineInfo;
  config: Omit<SweepOptions, 'log' | 'signal'>;
  points: SweepPoint[];
  rss: { workers: number; chunkSize: number; codec: Codec; profile: Profile; points: RssPoint[] };
  targets: Target[];
}

const RUN_ONE = packageFile('dist/bench/run-one.js');

async function runOne(cfg: RunOneConfig): Promise<RunOneResult> {
  const t = await runTimed([{ file: process.execPath, args: [RUN_ONE, JSON.stringify(cfg)], stdout: 'capture' }]);
  if (!t.ok) throw new HiveError(`sweep run failed (${cfg.workers} workers, ${cfg.chunkSize} B chunks, ${cfg.codec}): ${t.error ?? ''}`);
  return JSON.parse(t.results[0]?.stdout ?? '') as RunOneResult;
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError('benchmark interrupted', { cause: signal.reason });
}

type PointKey = Pick<SweepPoint, 'workers' | 'chunkSize' | 'codec' | 'profile'>;

function summarise(key: PointKey, runs: RunOneResult[]): SweepPoint {
  const perChunk: Array<{ value: number; weight: number }> = [];
  const perTask: Array<{ value: number; weight: number }> = [];
  for (const r of runs) {
    for (let i = 0; i + 1 < r.tasks.length; i += 2) {
      const ms = r.tasks[i] ?? 0;
      const chunks = r.tasks[i + 1] ?? 1;
      perChunk.push({ value: ms / chunks, weight: chunks });
      perTask.push({ value: ms, weight: chunks });
    }
  }
  const first = runs[0];
  const speeds = runs.map((r) => round(mbPerSec(r.bytes, r.durationMs), 1));
  return {
    ...key,
    bytes: first?.bytes ?? 0,
    mbPerSec: round(median(speeds), 1),
    mbPerSecRuns: speeds,
    coldMbPerSec: round(median(runs.map((r) => mbPerSec(r.bytes, r.coldDurationMs))), 1),
    chunkLatencyMs: { p50: round(weightedPercentile(perChunk, 50)), p99: round(weightedPercentile(perChunk, 99)) },
    taskLatencyMs: { p50: round(weightedPercentile(perTask, 50)), p99: round(weightedPercentile(perTask, 99)) },
    peakRssBytes: Math.max(...runs.map((r) => r.maxRssBytes)),
    peakRssRuns: runs.map((r) => r.maxRssBytes),
    cpuPercent: round(median(runs.map((r) => ((r.userMs + r.systemMs) / r.durationMs) * 100)), 1),
    storedRatio: round((first?.storedBytes ?? 0) / Math.max(1, first?.bytes ?? 1), 4),
    backendRuns: runs.map((r) => `${r.hashBackend}/${r.lz4Backend}`),
  };
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const log = o.log ?? ((): void => undefined);
  const machine = machineInfo();
  const dir = await mkdtemp(join(tmpdir(), 'hivestream-sweep-'));
  try {
    const files = new Map<Profile, string>();
    for (const profile of o.profiles) {
      const file = join(dir, `${profile}.bin`);
      log(`generating ${o.size} bytes of '${profile}'`);
      await writeSample(file, { profile, size: o.size, seed: o.seed });
      await warmRead(file);
      files.set(profile, file);
      checkAbort(o.signal);
    }
    const keys: PointKey[] = o.profiles.flatMap((profile) => o.codecs.flatMap((codec) => o.chunkSizes.flatMap((chunkSize) => o.workers.map((workers) => ({ workers, chunkSize, codec, profile })))));
    const samples = keys.map((): RunOneResult[] => []);
    for (let run = 0; run < o.runs; run++) {
      for (let k = 0; k < keys.length; k++) {
        checkAbort(o.signal);
        const i = (k + run) % keys.length;
        const key = keys[i];
        if (key === undefined) continue;
        const r = await runOne({ file: files.get(key.profile) ?? '', workers: key.workers, chunkSize: key.chunkSize, codec: key.codec });
        samples[i]?.push(r);
        log(`  run ${run + 1}/${o.runs} ${key.profile} ${key.codec} ${key.chunkSize >> 10} KiB x${key.workers}: ${mbPerSec(r.bytes, r.durationMs).toFixed(0)} MB/s`);
      }
    }
    const points = keys.map((key, i) => summarise(key, samples[i] ?? []));
    for (const file of files.values()) await rm(file, { force: true });
    const rss = await rssSeries(o, dir, log);
    finishMachineInfo(machine);
    const { log: _log, signal: _signal, ...config } = o;
    const result: SweepResult = { kind: 'hivestream-bench-sweep', version: 1, date: new Date().toISOString(), machine, config, points, rss, targets: [] };
    result.targets = sweepTargets(result);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Peak RSS across input sizes: one file of the largest size, cut shorter for each smaller size (the generator is prefix-stable). */
async function rssSeries(o: SweepOptions, dir: string, log: (line: string) => void): Promise<SweepResult['rss']> {
  const workers = availableParallelism();
  const base = { workers, chunkSize: MiB, codec: 'lz4' as const, profile: 'mixed' as const };
  const sizes = [...new Set(o.rssSizes)].sort((a, b) => b - a);
  const points: RssPoint[] = [];
  const largest = sizes[0];
  if (largest === undefined) return { ...base, points };
  const file = join(dir, 'rss.bin');
  log(`generating ${largest} bytes of 'mixed' for the peak-RSS series`);
  await writeSample(file, { profile: base.profile, size: largest, seed: o.seed });
  for (const size of sizes) {
    checkAbort(o.signal);
    await truncate(file, size);
    await warmRead(file);
    const runs: RunOneResult[] = [];
    for (let run = 0; run < o.runs; run++) runs.push(await runOne({ file, workers, chunkSize: base.chunkSize, codec: base.codec }));
    const p = { bytes: size, peakRssBytes: Math.max(...runs.map((r) => r.maxRssBytes)), peakRssRuns: runs.map((r) => r.maxRssBytes), backendRuns: runs.map((r) => `${r.hashBackend}/${r.lz4Backend}`), mbPerSec: round(median(runs.map((r) => mbPerSec(r.bytes, r.durationMs))), 1) };
    log(`  ${size} bytes: peak RSS ${p.peakRssRuns.map((b) => (b / MiB).toFixed(0)).join(', ')} MiB`);
    points.push(p);
  }
  return { ...base, points: points.reverse() };
}
