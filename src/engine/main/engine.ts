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
import { runsCallerCode, type PartResult, type Task, type TaskPart } from '../contract/tasks.js';
import { Admission, type Ticket } from './admission.js';
import { Ring } from './ring.js';
import type { StreamPlan } from './ring-plan.js';
import { TASK_BYTES } from './ring-plan.js';
import { Scheduler, type Batch, type Build } from './scheduler.js';
import { StreamSlots } from './stream-slots.js';
import { TaskGuard, type ResilienceOptions, type TaskEvent } from './task-guard.js';
import { EngineStream } from './engine-stream.js';
import { MemoryQueue } from './memory-queue.js';
import { engineDefaults, type EngineOptions, type EngineSettings } from './engine-options.js';
import type { EngineStats } from './engine-stats.js';
import { Executors } from './executors.js';

export type { EngineOptions };
export type { EngineStats };


/** Largest task run on the main thread, and only when nothing else runs. */
export const INLINE_BYTES = 256 << 10;
/** Smallest task built when work is split to keep every worker busy. */
const MIN_TASK_BYTES = 128 << 10;
/** Queued work that earns a second task per thread (ready behind the running one). */
const READY_TASK_BYTES = 1 << 20;

export class Engine {
  readonly settings: EngineSettings;
  private readonly exec: Executors;
  private readonly scheduler = new Scheduler();
  private readonly admission: Admission;
  private readonly defaultGuard: TaskGuard;
  private readonly running = new Map<Promise<unknown>, { ctl: AbortController; streams: Set<EngineStream> }>();
  private readonly memory = new MemoryQueue();
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
    this.exec = new Executors({ controlSlots: s.controlSlots, arenaBytes: s.memory }, s.threads);
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
      poolStarted: this.exec.poolStarted,
      runs: this.admission.stats,
      tasks: { inflight: this.running.size, queuedBatches: this.scheduler.queuedBatches, completed: this.completed, inline: this.inlined },
      memory: {
        budgetBytes: this.settings.memory,
        usedBytes: this.exec.used.bytes,
        slotsHeld: this.exec.used.slots,
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
    const ring = this.exec.ring();
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
    if (!req.tiny) void this.exec.workers(req.backends).catch(() => undefined);
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
    if (this.admission.running === 0 && this.running.size === 0) await this.exec.stop(this.streams.size === 0);
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
    this.memory.wakeAll();
    await Promise.allSettled([...this.running.keys()]);
    await this.exec.stop(this.streams.size === 0);
  }

  /** The stream's slots: as many as the plan wants and the arena has, at least its minimum (waiting for memory). */
  private async allocSlots(ring: Ring, plan: StreamPlan, signal: AbortSignal): Promise<number[]> {
    for (;;) {
      if (this.closed) throw new AbortError('the engine was closed');
      const got: number[] = [];
      // Others waiting for memory go first (FIFO): this one takes none ahead of them.
      if (this.memory.waiting === 0) {
        while (got.length < plan.slots) {
          const slot = ring.allocSlot(plan.inputBytes, plan.outputBytes);
          if (slot === undefined) break;
          got.push(slot);
        }
        if (got.length >= plan.minSlots) return got;
        for (const slot of got) ring.freeSlot(slot);
      }
      await this.memory.wait(signal);
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
    const outcome = inline ? this.exec.inline(task) : guard.run(async (t, signal) => (await this.exec.workers()).run(t, signal), task, ctl.signal, note);
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
    this.memory.wakeAll();
    this.idleCheck();
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private idleCheck(): void {
    if (this.admission.running > 0 || this.running.size > 0 || this.streams.size > 0 || this.idleTimer !== undefined) return;
    if (!this.exec.holding) return;
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
