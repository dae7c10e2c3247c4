// One run's stream on the engine: its slots, its share of the pool, the
// guard its tasks run under, and what happened to its tasks (the
// resilience figures in its report). Runs (main/run.ts) talk to the engine
// through this.
import type { BackendChoice } from '../backends/select.js';
import type { PartResult, TaskPart } from '../contract/tasks.js';
import type { Ring } from './ring.js';
import type { Batch, SchedStream } from './scheduler.js';
import type { StreamSlots } from './stream-slots.js';
import type { ResilienceStats, TaskEvent, TaskGuard } from './task-guard.js';

export interface EngineStreamInit {
  key: string;
  ring: Ring;
  slots: StreamSlots;
  guard: TaskGuard;
  backends: BackendChoice;
  maxInflight: number;
  submit: (s: EngineStream, part: TaskPart, bytes: number) => Promise<PartResult>;
  failed: (s: EngineStream) => void;
  close: (s: EngineStream) => void;
}

export class EngineStream implements SchedStream {
  readonly key: string;
  readonly ring: Ring;
  readonly slots: StreamSlots;
  readonly guard: TaskGuard;
  readonly backends: BackendChoice;
  readonly maxInflight: number;
  inflight = 0;
  deficit = 0;
  readonly pending: Batch[] = [];
  /** Set when the stream failed; its queued batches are dropped. */
  failure: Error | undefined;
  /** Whether tasks that serve only failed streams may be stopped (not when a reader just closed early). */
  abortTasks = true;
  /** The run to tell when the engine ends the stream (engine closed). */
  onFailure: ((err: Error) => void) | undefined;
  private readonly counts: ResilienceStats = { retries: 0, crashes: 0, timeouts: 0, transientErrors: 0, breakerOpened: 0, faultsInjected: 0, breakerState: 'closed' };
  private readonly offOpen: () => void;
  private closed = false;

  constructor(private readonly init: EngineStreamInit) {
    this.key = init.key;
    this.ring = init.ring;
    this.slots = init.slots;
    this.guard = init.guard;
    this.backends = init.backends;
    this.maxInflight = init.maxInflight;
    this.offOpen = init.guard.breaker.on('open', () => this.counts.breakerOpened++);
  }

  /** Queues a batch of this stream's slots; resolves to its outcome once a task ran it. */
  submit(part: TaskPart, bytes: number): Promise<PartResult> {
    return this.init.submit(this, part, bytes);
  }

  /** Waits while the stream's breaker is open (backpressure up to the reader). */
  gate(signal: AbortSignal): Promise<void> {
    return this.guard.gate(signal);
  }

  note(e: TaskEvent): void {
    const c = this.counts;
    if (e === 'retry') c.retries++;
    else if (e === 'crash') c.crashes++;
    else if (e === 'timeout') c.timeouts++;
    else if (e === 'transient') c.transientErrors++;
    else c.faultsInjected++;
  }

  get stats(): ResilienceStats {
    return { ...this.counts, breakerState: this.guard.breaker.state };
  }

  /** The stream failed (its run says why): nothing more of it is scheduled. */
  fail(err: Error, abortTasks = true): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.abortTasks = abortTasks;
    this.init.failed(this);
  }

  /** Gives the slots and the admission place back; no task of the stream may still run. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offOpen();
    this.slots.close();
    this.init.close(this);
  }
}
