// Runs chunk tasks under the resilience controllers. Every task attempt goes
// through retry( breaker( timeout( execute ) ) ): a crashed worker is
// replaced by Piscina and the task retried with backoff; a task past its
// deadline is cancelled (Piscina terminates the worker running it) and
// retried. What a part found wrong with its stream's data is that part's
// outcome, delivered to its stream: never retried and never counted against
// the breaker. While the breaker is open, readers stop taking slots and
// tasks wait, until a half-open probe succeeds or the patience runs out.
// One guard serves every stream that runs with the same resilience options.
import { CircuitOpenError, HiveError, WorkerCrashedError, AbortError, isBadInputError } from '../../errors.js';
import { CircuitBreaker } from '../../resilience/circuit-breaker.js';
import type { CircuitBreakerOptions } from '../../resilience/circuit-breaker-types.js';
import { ErrorRecoveryCoordinator } from '../../resilience/coordinator.js';
import type { RetryOptions } from '../../resilience/retry.js';
import { systemClock, type Clock } from '../../resilience/clock.js';
import { checkNumber, checkPositive } from '../../resilience/validate.js';
import { failureToError, type PartResult, type Task, type TaskResult } from '../contract/tasks.js';
import { FaultInjector, type FaultOptions } from './faults.js';

/** Runs one task attempt somewhere (a worker, or the main thread). */
export type Execute = (task: Task, signal: AbortSignal) => Promise<TaskResult>;

/** What happened to a task's attempts, for the reports of the streams it served. */
export type TaskEvent = 'retry' | 'crash' | 'timeout' | 'transient' | 'fault';

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
  private readonly clock: Clock;
  /** Fault injection is on: such tasks always go to a worker. */
  readonly injectsFaults: boolean;
  /** The last failure of a task attempt (crash, deadline, transient error): the cause of a CircuitOpenError. */
  private lastFailure: Error | undefined;

  constructor(opts: ResilienceOptions) {
    // Any duration is honoured (the clock chains waits past Node's 2^31-1 ms timer limit); nonsense is refused.
    const timeoutMs = checkPositive('resilience.taskTimeoutMs', opts.taskTimeoutMs ?? 30_000, true);
    const patienceMs = checkNumber('resilience.patienceMs', opts.patienceMs ?? 5_000, 0, true);
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
    this.patienceMs = patienceMs;
    this.faults = new FaultInjector(opts.faults ?? {});
    this.injectsFaults = this.faults.active;
    this.stallMs = opts.faults?.stallMs ?? timeoutMs * 3;
  }

  get breaker(): CircuitBreaker {
    return this.coordinator.breaker;
  }

  /** Waits while the breaker is open; fails with CircuitOpenError past the patience. */
  async gate(signal: AbortSignal): Promise<void> {
    if (this.breaker.state !== 'open') return;
    await this.waitForChange(this.clock.now() + this.patienceMs, signal);
  }

  /**
   * Runs one task to success, or throws the typed error that ends the
   * streams it served. Resolves to each part's outcome.
   */
  async run(execute: Execute, task: Task, signal: AbortSignal, note: (e: TaskEvent) => void): Promise<PartResult[]> {
    const deadline = this.clock.now() + this.patienceMs;
    let attempts = 0;
    const attempt = (attemptSignal: AbortSignal): Promise<PartResult[]> => {
      if (attempts++ > 0) note('retry');
      return this.attempt(execute, task, attemptSignal, signal, note);
    };
    for (;;) {
      try {
        return await this.coordinator.executeWithRecovery(attempt, signal);
      } catch (err) {
        if (!(err instanceof CircuitOpenError) || signal.aborted) throw err;
        // Refused by an open (or busy half-open) breaker: wait, then try again.
        await this.waitForChange(deadline, signal, err);
      }
    }
  }

  private async attempt(execute: Execute, task: Task, signal: AbortSignal, outer: AbortSignal, note: (e: TaskEvent) => void): Promise<PartResult[]> {
    const fault = this.faults.next();
    if (fault !== undefined) note('fault');
    let result: TaskResult;
    try {
      result = await execute(fault === undefined ? task : { ...task, fault, stallMs: this.stallMs }, signal);
    } catch (err) {
      if (err instanceof HiveError) throw err;
      if (signal.aborted) {
        if (!outer.aborted) {
          note('timeout');
          // The deadline aborted the attempt with its TimeoutError.
          if (signal.reason instanceof Error) this.lastFailure = signal.reason;
        }
        throw err;
      }
      note('crash');
      throw (this.lastFailure = new WorkerCrashedError(`worker failed while running a task: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
    if (!Array.isArray(result)) {
      note(result.call?.timeoutMs !== undefined ? 'timeout' : 'transient');
      throw (this.lastFailure = failureToError(result, undefined));
    }
    return result;
  }

  private waitForChange(deadline: number, signal: AbortSignal, cause?: unknown): Promise<void> {
    if (this.breaker.state === 'closed') return Promise.resolve();
    const remaining = deadline - this.clock.now();
    if (remaining <= 0) return Promise.reject(this.patienceError(cause));
    return new Promise<void>((resolve, reject) => {
      const done = (fn: () => void): void => {
        this.clock.clearTimeout(timer);
        off();
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const off = this.breaker.on('stateChange', () => done(resolve));
      const timer = this.clock.setTimeout(() => done(() => reject(this.patienceError(cause))), remaining);
      const onAbort = (): void => done(() => reject(new AbortError('aborted while the circuit breaker was open', { cause: signal.reason })));
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The breaker did not recover: the error names the last failure that counted against it (its cause). */
  private patienceError(cause: unknown): CircuitOpenError {
    const last = this.lastFailure;
    const what = last === undefined ? '' : ` (last failure: ${last.message})`;
    return new CircuitOpenError(`circuit breaker open: worker tasks kept failing and it did not recover within ${this.patienceMs} ms${what}`, { cause: last ?? cause });
  }
}
