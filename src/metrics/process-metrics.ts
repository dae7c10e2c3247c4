// Process-wide figures for services: every run started through the public
// API (pack, unpack, verify, readChunks, and everything built on them)
// feeds one collector through its progress callback and its final report,
// by way of the core's run observer (src/run-observer.ts).
// Nothing is added to the engine's hot paths: counters move at progress
// ticks (every progressIntervalMs) and gauges are read at snapshot time.
import { performance } from 'node:perf_hooks';
import { engineGauges } from '../engine/main/gauges.js';
import { fallbacks, type BackendFallback } from '../engine/backends/fallback.js';
import type { Progress } from '../options.js';
import { OPERATIONS, setRunObserver, type Operation, type RunTracker } from '../run-observer.js';

export type { Operation };

export interface OperationCounts {
  started: number;
  completed: number;
  failed: number;
  /** Stopped by the caller's AbortSignal (a client that went away, Ctrl-C): not a failure of the engine. */
  aborted: number;
}

export interface MetricsSnapshot {
  /** Bytes runs read: raw input (pack), container bytes (unpack, verify, chunk reads). */
  bytesIn: number;
  /** Bytes runs wrote: container bytes (pack), restored raw bytes (unpack, chunk reads). */
  bytesOut: number;
  /** Raw bytes packed, restored or verified. */
  rawBytes: number;
  chunks: number;
  /** Raw megabytes (10^6 bytes) per second over the last `windowSeconds`. */
  mbPerSecond: number;
  windowSeconds: number;
  runs: Record<Operation, OperationCounts> & { active: number };
  /** Batches of chunks waiting for a worker task. */
  queueDepth: number;
  /** The engine's admission: runs admitted now, runs waiting for a place, the current (adaptive) limit, runs refused with OverloadedError. */
  engine: { runsInflight: number; runsQueued: number; runLimit: number; runsRejected: number; threads: number; memoryUsedBytes: number; memoryBudgetBytes: number };
  /** Ring slots holding a chunk, and slots in all, over all active runs. */
  slotsInUse: number;
  slotsTotal: number;
  /** Resilience counters summed over finished runs. */
  retries: number;
  crashes: number;
  timeouts: number;
  breakerOpened: number;
  /** Worst breaker state of the active runs (open > half-open > closed), else the last finished run's. */
  breakerState: string;
  /** Chunks reported corrupt by chunk readers in report mode. */
  corruptChunks: number;
  /** Components that ran on a slower back end than this machine could have, with the reason and the fix. */
  fallbacks: BackendFallback[];
}

const WINDOW_S = 10;
const BREAKER_RANK: Record<string, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

class Collector {
  private bytesIn = 0;
  private bytesOut = 0;
  private rawBytes = 0;
  private chunks = 0;
  private retries = 0;
  private crashes = 0;
  private timeouts = 0;
  private breakerOpened = 0;
  private corruptChunks = 0;
  private lastBreaker = 'closed';
  private active = 0;
  private readonly runs = Object.fromEntries(OPERATIONS.map((op) => [op, { started: 0, completed: 0, failed: 0, aborted: 0 }])) as Record<Operation, OperationCounts>;
  // Raw bytes per whole second, for the moving rate: [second, bytes] pairs.
  private readonly buckets: Array<[number, number]> = [];
  private readonly born = performance.now();

  track(op: Operation, userProgress: ((p: Progress) => void) | undefined): RunTracker {
    this.runs[op].started++;
    this.active++;
    let seen = { bytes: 0, storedBytes: 0, chunks: 0 };
    let open = true;
    // Which side of a run is input and which is output depends on its direction.
    const advance = (bytes: number, storedBytes: number, chunks: number): void => {
      const dRaw = Math.max(0, bytes - seen.bytes);
      const dStored = Math.max(0, storedBytes - seen.storedBytes);
      if (op === 'pack') {
        this.bytesIn += dRaw;
        this.bytesOut += dStored;
      } else {
        // verify and process write nothing of their own (process reports the input it read as stored).
        this.bytesIn += dStored;
        if (op !== 'verify' && op !== 'process') this.bytesOut += dRaw;
      }
      this.rawBytes += dRaw;
      this.chunks += Math.max(0, chunks - seen.chunks);
      this.addRate(dRaw);
      seen = { bytes: Math.max(bytes, seen.bytes), storedBytes: Math.max(storedBytes, seen.storedBytes), chunks: Math.max(chunks, seen.chunks) };
    };
    const close = (outcome: 'completed' | 'failed' | 'aborted'): void => {
      if (!open) return;
      open = false;
      this.active--;
      this.runs[op][outcome]++;
    };
    return {
      onProgress: (p) => {
        if (open) advance(p.bytes, p.storedBytes, p.chunks);
        userProgress?.(p);
      },
      done: (r) => {
        if (!open) return;
        advance(r.bytes, r.storedBytes, r.chunks);
        this.retries += r.resilience.retries;
        this.crashes += r.resilience.crashes;
        this.timeouts += r.resilience.timeouts;
        this.breakerOpened += r.resilience.breakerOpened;
        this.lastBreaker = r.resilience.breakerState;
        this.corruptChunks += r.corruptChunks ?? 0;
        close('completed');
      },
      failed: () => close('failed'),
      aborted: () => close('aborted'),
      stopped: () => close('completed'),
    };
  }

  private addRate(bytes: number): void {
    if (bytes <= 0) return;
    const second = Math.floor(performance.now() / 1000);
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last[0] === second) last[1] += bytes;
    else this.buckets.push([second, bytes]);
    while (this.buckets.length > 0 && (this.buckets[0]?.[0] ?? second) <= second - WINDOW_S) this.buckets.shift();
  }

  private rate(): number {
    const now = performance.now();
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (const [s, b] of this.buckets) if (s > second - WINDOW_S) sum += b;
    // A young process has not yet lived through a whole window.
    const span = Math.min(WINDOW_S, Math.max(1, (now - this.born) / 1000));
    return sum / span / 1e6;
  }

  snapshot(): MetricsSnapshot {
    const g = engineGauges();
    let breaker = g.breakerStates.length === 0 ? this.lastBreaker : 'closed';
    for (const s of g.breakerStates) if ((BREAKER_RANK[s] ?? 0) > (BREAKER_RANK[breaker] ?? 0)) breaker = s;
    const runs = Object.fromEntries(OPERATIONS.map((op) => [op, { ...this.runs[op] }])) as Record<Operation, OperationCounts>;
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      rawBytes: this.rawBytes,
      chunks: this.chunks,
      mbPerSecond: this.rate(),
      windowSeconds: WINDOW_S,
      runs: { ...runs, active: this.active },
      queueDepth: g.queueDepth,
      engine: { runsInflight: g.activeRuns, runsQueued: g.queuedRuns, runLimit: g.runLimit, runsRejected: g.rejectedRuns, threads: g.threads, memoryUsedBytes: g.memoryUsed, memoryBudgetBytes: g.memoryBudget },
      slotsInUse: g.slotsInUse,
      slotsTotal: g.slotsTotal,
      retries: this.retries,
      crashes: this.crashes,
      timeouts: this.timeouts,
      breakerOpened: this.breakerOpened,
      breakerState: breaker,
      corruptChunks: this.corruptChunks,
      fallbacks: fallbacks(),
    };
  }
}

const collector = new Collector();

/** A snapshot of the process-wide figures (cheap: a few sums). */
export function metrics(): MetricsSnapshot {
  return collector.snapshot();
}

// Every run started through the public API is tracked from the moment this
// module is loaded (the package entry loads it).
setRunObserver((op, userProgress) => collector.track(op, userProgress));
