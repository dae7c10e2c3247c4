// Runs chunk tasks under the resilience controllers. Every task attempt goes
// through retry( breaker( timeout( pool.run ) ) ): a crashed worker is
// replaced by Piscina and the task retried with backoff; a task past its
// deadline is cancelled (Piscina terminates the worker running it) and
// retried; bad input is never retried and never counts against the breaker.
// While the breaker is open the reader stops taking slots and tasks wait,
// until a half-open probe succeeds or the patience runs out.
import { CircuitOpenError, HiveError, TransientError, WorkerCrashedError, AbortError, isBadInputError } from '../../errors.js';
import { CircuitBreaker } from '../../resilience/circuit-breaker.js';
import type { CircuitBreakerOptions } from '../../resilience/circuit-breaker-types.js';
import { ErrorRecoveryCoordinator } from '../../resilience/coordinator.js';
import type { RetryOptions } from '../../resilience/retry.js';
import { systemClock, type Clock } from '../../resilience/clock.js';
import type { WorkerPool } from './pool.js';
import { failureToError, type Task } from '../contract/tasks.js';
import { FaultInjector, type FaultOptions } from './faults.js';

export interface ResilienceOptions {
  /** A breaker (shared across runs) or options for a fresh one per run. */
  breaker?: CircuitBreaker | CircuitBreakerOptions;
  /** Retry of failed task attempts; false: no retry. */
  retry?: Omit<RetryOptions, 'clock' | 'random'> | false;
  /** Deadline of one task attempt in ms (default 30 000). */
  taskTimeoutMs?: number;
  /** How long the run may wait for an open breaker to recover before failing (default 5 000 ms). */
  patienceMs?: number;
  /** Fault injection rates and seed. */
  faults?: FaultOptions;
  /** Clock for the breaker, retry, timeout and patience (default: the system clock). */
  clock?: Clock;
}

export interface ResilienceStats {
  /** Task attempts retried after a failure. */
  retries: number;
  crashes: number;
  timeouts: number;
  transientErrors: number;
  /** Times the breaker opened during the run. */
  breakerOpened: number;
  faultsInjected: number;
  breakerState: string;
}

/** Engine defaults: tasks take milliseconds, so the breaker reacts in about a second. */
const ENGINE_BREAKER: CircuitBreakerOptions = { failureThreshold: 5, successThreshold: 1, openMs: 500, minimumCalls: 20, name: 'worker pool' };
const ENGINE_RETRY = { maxAttempts: 6, baseDelay: 20, maxDelay: 1000, multiplier: 2, jitter: 'full' as const };

export class TaskGuard {
  private readonly coordinator: ErrorRecoveryCoordinator;
  private readonly faults: FaultInjector;
  private readonly patienceMs: number;
  private readonly stallMs: number;
  readonly stats: ResilienceStats = { retries: 0, crashes: 0, timeouts: 0, transientErrors: 0, breakerOpened: 0, faultsInjected: 0, breakerState: 'closed' };
  private readonly unsubscribe: Array<() => void> = [];
  private readonly clock: Clock;

  constructor(
    opts: ResilienceOptions,
    private readonly signal: AbortSignal,
  ) {
    const timeoutMs = opts.taskTimeoutMs ?? 30_000;
    this.clock = opts.clock ?? systemClock;
    const breaker = opts.breaker instanceof CircuitBreaker ? opts.breaker : new CircuitBreaker({ ...ENGINE_BREAKER, clock: this.clock, ...opts.breaker });
    this.coordinator = new ErrorRecoveryCoordinator({
      clock: this.clock,
      name: 'chunk task',
      breaker,
      retry: opts.retry === false ? false : { ...ENGINE_RETRY, ...opts.retry },
      timeout: timeoutMs,
      // Bad input never counts against the pool, even on a breaker the caller shares.
      isBadInput: isBadInputError,
    });
    this.patienceMs = opts.patienceMs ?? 5_000;
    this.faults = new FaultInjector(opts.faults ?? {});
    this.stallMs = opts.faults?.stallMs ?? timeoutMs * 3;
    this.unsubscribe.push(breaker.on('open', () => this.stats.breakerOpened++));
    const retry = this.coordinator.retry;
    if (retry !== null) this.unsubscribe.push(retry.on('retry', () => this.stats.retries++));
  }

  get breaker(): CircuitBreaker {
    return this.coordinator.breaker;
  }

  /** Waits while the breaker is open; fails with CircuitOpenError past the patience. */
  async gate(): Promise<void> {
    if (this.breaker.state !== 'open') return;
    await this.waitForChange(this.clock.now() + this.patienceMs);
  }

  /** Runs one task to success, or throws the typed error that ends the run. */
  async run(pool: WorkerPool, task: Task): Promise<void> {
    const deadline = this.clock.now() + this.patienceMs;
    for (;;) {
      try {
        await this.coordinator.executeWithRecovery((signal) => this.attempt(pool, task, signal), this.signal);
        return;
      } catch (err) {
        if (!(err instanceof CircuitOpenError) || this.signal.aborted) throw err;
        // Refused by an open (or busy half-open) breaker: wait, then try again.
        await this.waitForChange(deadline, err);
      }
    }
  }

  private async attempt(pool: WorkerPool, task: Task, signal: AbortSignal): Promise<void> {
    const fault = this.faults.next();
    if (fault !== undefined) this.stats.faultsInjected++;
    let result;
    try {
      result = await pool.run(fault === undefined ? task : { ...task, fault, stallMs: this.stallMs }, signal);
    } catch (err) {
      if (err instanceof HiveError) throw err;
      if (signal.aborted) {
        if (!this.signal.aborted) this.stats.timeouts++;
        throw err;
      }
      this.stats.crashes++;
      throw new WorkerCrashedError(`worker failed while running a task: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (result !== null) {
      const error = failureToError(result, undefined);
      if (error instanceof TransientError) this.stats.transientErrors++;
      throw error;
    }
  }

  private waitForChange(deadline: number, cause?: unknown): Promise<void> {
    if (this.breaker.state === 'closed') return Promise.resolve();
    const remaining = deadline - this.clock.now();
    if (remaining <= 0) return Promise.reject(this.patienceError(cause));
    return new Promise<void>((resolve, reject) => {
      const done = (fn: () => void): void => {
        this.clock.clearTimeout(timer);
        off();
        this.signal.removeEventListener('abort', onAbort);
        fn();
      };
      const off = this.breaker.on('stateChange', () => done(resolve));
      const timer = this.clock.setTimeout(() => done(() => reject(this.patienceError(cause))), remaining);
      const onAbort = (): void => done(() => reject(new AbortError('aborted while the circuit breaker was open', { cause: this.signal.reason })));
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private patienceError(cause: unknown): CircuitOpenError {
    return new CircuitOpenError(`circuit breaker open: worker tasks kept failing and it did not recover within ${this.patienceMs} ms`, { cause });
  }

  close(): void {
    this.stats.breakerState = this.breaker.state;
    for (const off of this.unsubscribe) off();
  }
}
