// One run (a pack, unpack, verify or chunk read) on the main thread: its
// stream on the engine (slots, admission, share of the pool), its reorder
// window, its first failure (which stops everything), in-flight batch
// tracking and progress reporting.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { AbortError, HiveError, InputChangedError, IoError } from '../../errors.js';
import type { Progress } from '../../options.js';
import type { BackendChoice } from '../backends/select.js';
import type { RingView } from '../contract/slots.js';
import { failureToError, isPartFailure, partSlots, type CallValue, type TaskPart } from '../contract/tasks.js';
import { INLINE_BYTES, type Engine } from './engine.js';
import { getEngine } from './process-engine.js';
import type { EngineStream } from './engine-stream.js';
import { ReorderWindow } from './reorder.js';
import type { StreamPlan } from './ring-plan.js';
import type { StreamSlots } from './stream-slots.js';
import type { ResilienceOptions, ResilienceStats } from './task-guard.js';

export interface RunConfig {
  /** The run's share of the pool: its tasks in flight at most (default: the engine's threads). */
  workers: number | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((p: Progress) => void) | undefined;
  progressIntervalMs: number;
  /** Path named in errors about the input. */
  inputPath: string | undefined;
  resilience: ResilienceOptions | undefined;
  backends: BackendChoice;
  /** Benchmark hook: task latency (hand-off to completion) and chunk count. */
  onTaskTiming?: ((ms: number, chunks: number) => void) | undefined;
  /** The engine to run on (default: the process-wide one). */
  engine?: Engine | undefined;
  /** Told the run's first failure (so that waits outside the run, on its source and sink, settle too). */
  onFailure?: ((err: Error) => void) | undefined;
}

export class Run {
  readonly window = new ReorderWindow();
  readonly started = performance.now();
  readonly ring: RingView;
  readonly slots: StreamSlots;
  private readonly inflight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private lastProgress = 0;

  private constructor(
    readonly cfg: RunConfig,
    private readonly stream: EngineStream,
    private readonly ctl: AbortController,
    private readonly unlink: () => void,
  ) {
    this.ring = stream.ring;
    this.slots = stream.slots;
  }

  /** The run's share of the pool (what its report calls workers). */
  static workersOf(cfg: Pick<RunConfig, 'workers' | 'engine'>): number {
    const threads = (cfg.engine ?? getEngine()).threads;
    return Math.min(cfg.workers ?? threads, threads);
  }

  /** Opens the run's stream: waits for admission and ring memory (abortably). */
  static async start(cfg: RunConfig, plan: StreamPlan, describe: () => string, knownSize: number | undefined): Promise<Run> {
    const ctl = new AbortController();
    // Every in-flight batch may listen to the run's signal: no listener limit.
    setMaxListeners(0, ctl.signal);
    const outer = cfg.signal;
    const onAbort = (): void => ctl.abort(new AbortError('operation aborted', { cause: outer?.reason }));
    outer?.addEventListener('abort', onAbort, { once: true });
    const unlink = (): void => outer?.removeEventListener('abort', onAbort);
    if (outer?.aborted === true) onAbort();
    let stream: EngineStream;
    try {
      stream = await (cfg.engine ?? getEngine()).openStream({
        plan,
        workers: Run.workersOf(cfg),
        backends: cfg.backends,
        resilience: cfg.resilience,
        signal: ctl.signal,
        describe,
        tiny: knownSize !== undefined && knownSize <= INLINE_BYTES,
      });
    } catch (err) {
      unlink();
      throw err instanceof AbortError && ctl.signal.reason instanceof AbortError ? ctl.signal.reason : err;
    }
    const run = new Run(cfg, stream, ctl, unlink);
    stream.onFailure = (err) => run.fail(err);
    if (ctl.signal.aborted) run.fail(ctl.signal.reason);
    ctl.signal.addEventListener('abort', () => run.fail(ctl.signal.reason), { once: true });
    return run;
  }

  /** Waits while the circuit breaker is open (backpressure up to the source). */
  gate(): Promise<void> {
    return this.stream.gate(this.ctl.signal);
  }

  get resilienceStats(): ResilienceStats {
    return this.stream.stats;
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Records the first failure and stops the reader and the writer. With
   * `abortTasks` false (a reader that merely closed early), tasks already
   * running are left to finish rather than stopped.
   */
  fail(err: unknown, abortTasks = true): void {
    if (this.failure !== undefined) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.cfg.onFailure?.(this.failure);
    if (!this.ctl.signal.aborted) this.ctl.abort(this.failure);
    this.stream.fail(this.failure, abortTasks);
    this.window.wake();
  }

  /** Runs a batch; on success `onDone` runs, on failure the run fails. */
  submit(part: TaskPart, bytes: number, onDone: () => void): void {
    const p = this.outcome(part, bytes).then((err) => {
      if (err !== undefined) this.fail(err);
      else if (!this.failed) onDone();
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /**
   * Runs a batch and resolves to its error (undefined on success) instead
   * of failing the run: for readers that decide per chunk (report mode).
   */
  outcome(part: TaskPart, bytes: number): Promise<unknown> {
    return this.results(part, bytes).then((r) => ('error' in r ? r.error : undefined));
  }

  /** Runs a batch; resolves to its error, or to what its calls returned (call parts; undefined for others). */
  results(part: TaskPart, bytes: number): Promise<{ error: unknown } | { values: CallValue[] | undefined }> {
    const timing = this.cfg.onTaskTiming;
    const t0 = timing === undefined ? 0 : performance.now();
    const p = this.stream.submit(part, bytes).then(
      (result) => {
        if (isPartFailure(result)) return { error: withPath(failureToError(result, this.cfg.inputPath), this.cfg.inputPath) };
        // A throwing hook fails the run, as a throwing onProgress does.
        if (timing !== undefined) {
          try {
            timing(performance.now() - t0, partSlots(part));
          } catch (err) {
            return { error: err };
          }
        }
        return { values: result?.kind === 'values' ? result.values : undefined };
      },
      (err: unknown) => ({ error: withPath(err, this.cfg.inputPath) }),
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

  /**
   * The consumer left before the end: lets the batches in `running` finish
   * rather than abort them (an aborted task costs its worker thread: Piscina
   * terminates it), then stops the run and gives its stream back.
   */
  async closeEarly(running: Set<Promise<void>>, loops: Array<Promise<void>>, reason: Error): Promise<void> {
    while (running.size > 0 && !this.failed) await Promise.allSettled([...running]);
    this.fail(reason, false);
    await this.finish(loops).catch(() => undefined);
  }

  /** Waits for the reader and writer, drains batches, gives the stream back; rethrows the first failure. */
  async finish(loops: Array<Promise<void>>): Promise<void> {
    await Promise.all(loops.map((l) => l.catch((err: unknown) => this.fail(err))));
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    this.unlink();
    this.stream.close();
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
