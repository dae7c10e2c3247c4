// One run (a pack, unpack, verify or chunk read) on the main thread: the
// ring and pool it leased, its reorder window, its first failure (which
// stops everything), in-flight task tracking and progress reporting.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { AbortError, HiveError, InputChangedError, IoError, WorkerCrashedError } from '../../errors.js';
import type { Progress } from '../../options.js';
import type { Ring } from './ring.js';
import type { WorkerPool } from './pool.js';
import { leasePool, type Lease } from './pool-cache.js';
import { ReorderWindow } from './reorder.js';
import type { Task } from '../contract/tasks.js';
import type { BackendChoice } from '../backends/select.js';
import { TaskGuard, type ResilienceOptions, type ResilienceStats } from './task-guard.js';
import type { RingLayout } from '../contract/slots.js';
import { registerRun } from './gauges.js';

export interface RunConfig {
  layout: RingLayout;
  workers: number;
  signal: AbortSignal | undefined;
  onProgress: ((p: Progress) => void) | undefined;
  progressIntervalMs: number;
  /** Path named in errors about the input. */
  inputPath: string | undefined;
  resilience: ResilienceOptions | undefined;
  backends: BackendChoice;
  /** Benchmark hook: task latency (hand-off to completion) and chunk count. */
  onTaskTiming?: ((ms: number, chunks: number) => void) | undefined;
}

export class Run {
  readonly ring: Ring;
  readonly pool: WorkerPool;
  readonly window = new ReorderWindow();
  readonly started = performance.now();
  private readonly ctl = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private lastProgress = 0;
  private readonly unlink: () => void;
  private readonly unregister: () => void;

  private readonly lease: Lease;
  private readonly guard: TaskGuard;

  constructor(readonly cfg: RunConfig) {
    // Every in-flight task listens to the run's signal: no listener limit.
    setMaxListeners(0, this.ctl.signal);
    this.lease = leasePool(cfg.layout, cfg.workers, cfg.backends);
    this.ring = this.lease.ring;
    this.pool = this.lease.pool;
    const outer = cfg.signal;
    const onAbort = (): void => this.fail(new AbortError('operation aborted', { cause: outer?.reason }));
    outer?.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => outer?.removeEventListener('abort', onAbort);
    if (outer?.aborted === true) onAbort();
    this.guard = new TaskGuard(cfg.resilience ?? {}, this.ctl.signal);
    const { ring, pool, guard } = this;
    this.unregister = registerRun({
      get slotsInUse() {
        return ring.inUse;
      },
      slotCount: ring.slotCount,
      get queueDepth() {
        return pool.queueSize;
      },
      get breakerState() {
        return guard.breaker.state;
      },
    });
  }

  /** Waits while the circuit breaker is open (backpressure up to the source). */
  gate(): Promise<void> {
    return this.guard.gate();
  }

  get resilienceStats(): ResilienceStats {
    return this.guard.stats;
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Records the first failure and stops the reader and the writer. */
  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.ctl.abort(err);
    this.window.wake();
  }

  /** Runs a task; on success `onDone` runs, on failure the run fails. */
  submit(task: Task, onDone: () => void): void {
    const timing = this.cfg.onTaskTiming;
    const t0 = timing === undefined ? 0 : performance.now();
    const p = this.guard.run(this.pool, task).then(
      () => {
        // A throwing hook fails the run, as a throwing onProgress does.
        if (timing !== undefined) {
          try {
            timing(performance.now() - t0, task.slots.length);
          } catch (err) {
            this.fail(err);
          }
        }
        if (!this.failed) onDone();
      },
      (err: unknown) => {
        this.fail(withPath(err, this.cfg.inputPath));
      },
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /**
   * Runs a task and resolves to its error (undefined on success) instead of
   * failing the run: for readers that decide per chunk (report mode).
   */
  outcome(task: Task): Promise<unknown> {
    const p = this.guard.run(this.pool, task).then(
      () => undefined,
      (err: unknown) => withPath(err, this.cfg.inputPath),
    );
    const tracked = p.then(() => undefined);
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
    return p;
  }

  progress(p: Omit<Progress, 'elapsedMs'>, force = false): void {
    const cb = this.cfg.onProgress;
    if (cb === undefined) return;
    const now = performance.now();
    if (!force && now - this.lastProgress < this.cfg.progressIntervalMs) return;
    this.lastProgress = now;
    cb({ ...p, elapsedMs: now - this.started });
  }

  /** Waits for the reader and writer, drains tasks, closes the pool; rethrows the first failure. */
  async finish(loops: Array<Promise<void>>): Promise<void> {
    await Promise.all(loops.map((l) => l.catch((err: unknown) => this.fail(err))));
    await Promise.allSettled([...this.inflight]);
    this.unlink();
    this.unregister();
    this.guard.close();
    await this.lease.release(this.failure instanceof WorkerCrashedError);
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Errors from workers do not know the input path; name it where it matters. */
function withPath(err: unknown, path: string | undefined): unknown {
  if (path === undefined || !(err instanceof HiveError)) return err;
  if (err instanceof InputChangedError && err.path === 'input') return new InputChangedError(path, err.reason, { cause: err.cause });
  if (err instanceof IoError && err.path === undefined) return new IoError(err.operation, path, { cause: err.cause });
  return err;
}
