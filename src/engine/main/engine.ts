// The engine: one per process (getEngine()), shared by every run in it. It
// owns the ring (one SharedArrayBuffer, main/ring.ts) and the worker pool,
// admits runs (main/admission.ts), gives each run a stream of slots of its
// own sizes, and turns the streams' batches into worker tasks, fairly across
// streams (main/scheduler.ts), under the resilience controllers
// (main/task-guard.ts). Thread count and memory are the engine's settings,
// never a function of how many callers there are. A tiny task when nothing
// else runs is executed on the main thread (no round trip, no thread
// started). An engine idle for `idleMs` stops its threads and frees its ring.
import { performance } from 'node:perf_hooks';
import { AbortError, ValidationError } from '../../errors.js';
import { AimdLimit, GradientLimit, type ConcurrencyLimit } from '../../resilience/concurrency-limit.js';
import type { BackendChoice } from '../backends/select.js';
import { CONTROL_BYTES } from '../contract/slots.js';
import { runsCallerCode, type PartResult, type Task, type TaskPart, type TaskResult } from '../contract/tasks.js';
import { initWorker, type WorkerContext } from '../worker/context.js';
import { runTask } from '../worker/run-task.js';
import { Admission, type AdmissionStats, type Ticket } from './admission.js';
import { createPool, type WorkerPool } from './pool.js';
import { Ring } from './ring.js';
import type { StreamPlan } from './ring-plan.js';
import { TASK_BYTES } from './ring-plan.js';
import { Scheduler, type Batch, type Build } from './scheduler.js';
import { StreamSlots } from './stream-slots.js';
import { TaskGuard, type ResilienceOptions, type TaskEvent } from './task-guard.js';
import { EngineStream } from './engine-stream.js';
import { engineDefaults, type EngineOptions, type EngineSettings } from './engine-options.js';

export type { EngineOptions };

export interface EngineStats {
  threads: number;
  /** Whether the worker threads are running now (they start on first need, stop when idle). */
  poolStarted: boolean;
  runs: AdmissionStats;
  tasks: {
    /** Tasks running or waiting in the pool now. */
    inflight: number;
    /** Batches queued in the scheduler, not yet in a task. */
    queuedBatches: number;
    /** Tasks run so far, and how many of them ran on the main thread. */
    completed: number;
    inline: number;
  };
  memory: {
    /** Ring memory the engine may use, and what streams hold now. */
    budgetBytes: number;
    usedBytes: number;
    /** Slots streams hold, and how many of them hold a chunk now. */
    slotsHeld: number;
    slotsBusy: number;
  };
  /** State of the default breaker (streams with their own resilience options have their own). */
  breakerState: string;
}

/** Largest task run on the main thread, and only when nothing else runs. */
export const INLINE_BYTES = 256 << 10;
/** Smallest task built when work is split to keep every worker busy. */
const MIN_TASK_BYTES = 128 << 10;
/** Queued work that earns a second task per thread (ready behind the running one). */
const READY_TASK_BYTES = 1 << 20;

interface MemoryWaiter {
  retry: () => void;
}

export class Engine {
  readonly settings: EngineSettings;
  private ring: Ring | undefined;
  private pool: Promise<WorkerPool> | undefined;
  private mainContext: WorkerContext | undefined;
  private readonly scheduler = new Scheduler();
  private readonly admission: Admission;
  private readonly defaultGuard: TaskGuard;
  private readonly running = new Map<Promise<unknown>, { ctl: AbortController; streams: Set<EngineStream> }>();
  private readonly memoryWaiters: MemoryWaiter[] = [];
  private readonly streams = new Set<EngineStream>();
  private idleTimer: NodeJS.Timeout | undefined;
  private completed = 0;
  private inlined = 0;
  private closed = false;
  private nextGuardId = 1;
  private pumpScheduled = false;

  constructor(options: EngineOptions = {}) {
    this.settings = engineDefaults(options);
    const s = this.settings;
    const limit: ConcurrencyLimit =
      s.maxRuns === 'adaptive'
        ? new GradientLimit({ initial: s.minRuns * 2, min: s.minRuns, max: s.maxRunsCap })
        : new AimdLimit({ initial: s.maxRuns, min: s.maxRuns, max: s.maxRuns, threshold: Infinity });
    this.admission = new Admission(limit, s.maxQueuedRuns);
    this.defaultGuard = new TaskGuard(s.resilience);
  }

  get threads(): number {
    return this.settings.threads;
  }

  stats(): EngineStats {
    return {
      threads: this.settings.threads,
      poolStarted: this.pool !== undefined,
      runs: this.admission.stats,
      tasks: { inflight: this.running.size, queuedBatches: this.scheduler.queuedBatches, completed: this.completed, inline: this.inlined },
      memory: {
        budgetBytes: this.settings.memory,
        usedBytes: this.ring === undefined ? 0 : this.ring.arenaBytes - this.ring.arenaFree + this.ring.slotsInUse * CONTROL_BYTES,
        slotsHeld: this.ring?.slotsInUse ?? 0,
        slotsBusy: [...this.streams].reduce((n, st) => n + st.slots.inUse, 0),
      },
      breakerState: this.defaultGuard.breaker.state,
    };
  }

  /**
   * Opens a stream for one run: waits for admission (OverloadedError when
   * the queue of waiting runs is full) and for ring memory, then holds both
   * until the stream is closed.
   */
  async openStream(req: {
    plan: StreamPlan;
    /** The run's share of the pool: tasks of this stream in flight at most. */
    workers: number;
    backends: BackendChoice;
    resilience: ResilienceOptions | undefined;
    signal: AbortSignal;
    /** What the plan is for, named when it can never fit. */
    describe: () => string;
    /** The input is known to be small: its work may run on the main thread, so no thread is started for it. */
    tiny: boolean;
  }): Promise<EngineStream> {
    if (this.closed) throw new AbortError('the engine was closed');
    const { plan } = req;
    const ring = this.ensureRing();
    if (!ring.couldFit(plan.minSlots, plan.inputBytes, plan.outputBytes)) {
      throw new ValidationError(
        'chunkSize',
        `${req.describe()} needs ${plan.minSlots} ring slot(s) of ${formatMiB(Ring.slotBytes(plan.inputBytes, plan.outputBytes))}, more than the engine's ${formatMiB(this.settings.memory)} of ring memory (configureEngine({ memory }) or HIVESTREAM_ENGINE_MEMORY)`,
      );
    }
    this.clearIdle();
    const ticket = await this.admission.enter(req.signal);
    let slots: number[];
    try {
      slots = await this.allocSlots(ring, plan, req.signal);
    } catch (err) {
      ticket.leave();
      this.idleCheck();
      throw err;
    }
    // A stream that will need workers starts them now, while its reader opens.
    if (!req.tiny) void this.ensurePool(req.backends).catch(() => undefined);
    const custom = req.resilience !== undefined;
    const guard = custom ? new TaskGuard(req.resilience ?? {}) : this.defaultGuard;
    const key = `${custom ? this.nextGuardId++ : 0}/${req.backends.hash}/${req.backends.lz4}`;
    const stream = new EngineStream({
      key,
      ring,
      slots: new StreamSlots(ring, slots),
      guard,
      backends: req.backends,
      // One task running and one ready per thread of its share.
      maxInflight: 2 * Math.max(1, Math.min(req.workers, this.settings.threads)),
      submit: (s, part, bytes) => this.submit(s, part, bytes),
      failed: (s) => this.streamFailed(s),
      close: (s) => this.closeStream(s, ticket),
    });
    this.streams.add(stream);
    return stream;
  }

  /** Stops the threads now if no run is in flight (they start again on next use). */
  async closeIfIdle(): Promise<void> {
    if (this.admission.running === 0 && this.running.size === 0) await this.stopPool();
  }

  /**
   * Closes the engine: refuses new runs, fails the ones in flight with
   * AbortError, waits for their tasks to settle and stops the threads.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.clearIdle();
    const err = new AbortError('the engine was closed');
    this.admission.refuseWaiting(err);
    for (const s of [...this.streams]) (s.onFailure ?? ((e: Error) => s.fail(e)))(err);
    for (const w of this.memoryWaiters.splice(0)) w.retry();
    await Promise.allSettled([...this.running.keys()]);
    await this.stopPool();
  }

  private ensureRing(): Ring {
    this.ring ??= new Ring({ controlSlots: this.settings.controlSlots, arenaBytes: this.settings.memory });
    return this.ring;
  }

  /** The pool, started on first need; `preload`: back ends its workers load while they boot. */
  private ensurePool(preload?: BackendChoice): Promise<WorkerPool> {
    const ring = this.ensureRing();
    this.pool ??= createPool(ring, this.settings.threads, preload);
    return this.pool;
  }

  private async stopPool(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool !== undefined) await (await pool).close();
    // With no stream left, the ring goes too (workers held it; they are gone).
    if (this.streams.size === 0) {
      this.ring = undefined;
      this.mainContext = undefined;
    }
  }

  /** The stream's slots: as many as the plan wants and the arena has, at least its minimum (waiting for memory). */
  private async allocSlots(ring: Ring, plan: StreamPlan, signal: AbortSignal): Promise<number[]> {
    for (;;) {
      if (this.closed) throw new AbortError('the engine was closed');
      const got: number[] = [];
      // Others waiting for memory go first (FIFO): this one takes none ahead of them.
      if (this.memoryWaiters.length === 0) {
        while (got.length < plan.slots) {
          const slot = ring.allocSlot(plan.inputBytes, plan.outputBytes);
          if (slot === undefined) break;
          got.push(slot);
        }
        if (got.length >= plan.minSlots) return got;
        for (const slot of got) ring.freeSlot(slot);
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = this.memoryWaiters.indexOf(waiter);
          if (i >= 0) this.memoryWaiters.splice(i, 1);
          reject(new AbortError('aborted while waiting for ring memory', { cause: signal.reason }));
        };
        const waiter: MemoryWaiter = {
          retry: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        this.memoryWaiters.push(waiter);
      });
    }
  }

  private submit(stream: EngineStream, part: TaskPart, bytes: number): Promise<PartResult> {
    return new Promise<PartResult>((resolve, reject) => {
      this.scheduler.enqueue({ stream, part, bytes, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      this.pumpSoon();
    });
  }

  /**
   * Starts tasks at the end of this turn of the event loop, so that batches
   * submitted together (many small streams) share tasks: one round trip
   * each instead of one per stream.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Starts tasks while the pool has room: one per thread, and a second one
   * ready behind it when there is a task's worth of work (big streams keep
   * their workers fed across the round trip). Small batches that arrive
   * while every thread is busy wait and then go together, in one task:
   * with many small streams a round trip per stream cost more main-thread
   * time than the hashing it moved off it.
   */
  private pump(): void {
    const threads = this.settings.threads;
    for (;;) {
      const queued = this.scheduler.queuedBytes;
      const room = this.running.size < threads ? threads : queued >= READY_TASK_BYTES ? threads * 2 : threads;
      if (this.running.size >= room) return;
      const free = room - this.running.size;
      const target = Math.max(MIN_TASK_BYTES, Math.min(TASK_BYTES, Math.ceil(queued / free)));
      const build = this.scheduler.next(target);
      if (build === undefined) return;
      this.launch(build);
    }
  }

  private launch(build: Build): void {
    const streams = new Set<EngineStream>();
    for (const b of build.batches) streams.add(b.stream as EngineStream);
    for (const s of streams) s.inflight++;
    const first = build.batches[0]?.stream as EngineStream;
    const guard = first.guard;
    const task: Task = { parts: build.batches.map((b) => b.part), backends: first.backends };
    // The caller's own code always runs in a worker: it may crash or hang.
    const inline =
      this.settings.inline && build.bytes <= INLINE_BYTES && !guard.injectsFaults && this.running.size === 0 && this.admission.running <= 1 && !build.batches.some((b) => runsCallerCode(b.part));
    const ctl = new AbortController();
    const note = (e: TaskEvent): void => {
      for (const s of streams) s.note(e);
    };
    const t0 = performance.now();
    // On the main thread a task cannot crash a worker or hang past a
    // deadline: it runs without the guard (and its timers).
    const outcome = inline ? this.runInline(task) : guard.run(async (t, signal) => (await this.ensurePool()).run(t, signal), task, ctl.signal, note);
    const done = outcome.then(
      (results) => {
        this.completed++;
        if (inline) this.inlined++;
        // Latency per MiB of work (at least 64 KiB's worth), for the adaptive limit.
        this.admission.sample((performance.now() - t0) / Math.max(build.bytes / (1 << 20), 1 / 16));
        build.batches.forEach((b, i) => settle(b, results[i] ?? null));
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        for (const b of build.batches) settle(b, e);
      },
    );
    this.running.set(done, { ctl, streams });
    void done.finally(() => {
      this.running.delete(done);
      for (const s of streams) s.inflight--;
      this.pump();
      this.idleCheck();
    });
  }

  private async runInline(task: Task): Promise<PartResult[]> {
    const ring = this.ensureRing();
    this.mainContext ??= initWorker({ sab: ring.sab, layout: ring.layout });
    const result: TaskResult = await runTask(this.mainContext, task);
    if (!Array.isArray(result)) throw new Error(`internal: inline task failed: ${result.message}`);
    return result;
  }

  /** A stream failed: its queued batches go, and tasks that served only failed streams are stopped. */
  private streamFailed(stream: EngineStream): void {
    for (const b of this.scheduler.drop(stream)) settle(b, stream.failure ?? new AbortError('stream failed'));
    for (const { ctl, streams } of this.running.values()) {
      if ([...streams].every((s) => s.failure !== undefined && s.abortTasks)) ctl.abort(stream.failure);
    }
    this.pump();
  }

  private closeStream(stream: EngineStream, ticket: Ticket): void {
    if (!this.streams.delete(stream)) return;
    this.scheduler.drop(stream);
    ticket.leave();
    // Freed memory: waiting streams try again, in order.
    for (const w of this.memoryWaiters.splice(0)) w.retry();
    this.idleCheck();
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private idleCheck(): void {
    if (this.admission.running > 0 || this.running.size > 0 || this.streams.size > 0 || this.idleTimer !== undefined) return;
    if (this.pool === undefined && this.ring === undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.closeIfIdle();
    }, this.settings.idleMs);
    this.idleTimer.unref();
  }
}

function settle(b: Batch, r: PartResult | Error): void {
  b.settle(r);
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

let shared: Engine | undefined;
let pendingOptions: EngineOptions | undefined;

/** The process-wide engine, created on first use. */
export function getEngine(): Engine {
  shared ??= new Engine(pendingOptions);
  return shared;
}

/**
 * Sets the process-wide engine's options. Before first use they apply to
 * the engine when it is created; afterwards the current engine is closed
 * (once its runs finish) and the next run starts a new one.
 */
export async function configureEngine(options: EngineOptions): Promise<void> {
  engineDefaults(options); // validates now
  pendingOptions = options;
  const old = shared;
  shared = undefined;
  if (old !== undefined) await old.close();
}


/** The process-wide engine, if one was started (without starting one). */
export function currentEngine(): Engine | undefined {
  return shared;
}

/** Stops the process-wide engine's threads now if no run is in flight (they start again on next use). */
export async function closeIdlePools(): Promise<void> {
  await shared?.closeIfIdle();
}
