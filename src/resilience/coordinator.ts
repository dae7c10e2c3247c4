// Breaker, retry and timeout composed in the one order that makes them help
// each other: retry( breaker( timeout( op ) ) ).
//
// - Timeout innermost: each attempt gets its own deadline, and a hung attempt
//   becomes a TimeoutError the breaker can count.
// - Breaker inside the retry: it sees every attempt, so a dead dependency
//   trips it after `failureThreshold` attempts rather than that many whole
//   retried calls (with 3 attempts a call, 3x sooner).
// - Retry outermost: once the breaker is open it answers CircuitOpenError at
//   once, and that error is never retried, so the loop stops instead of
//   spending its attempts (and backoff time) against a breaker that will not
//   half-open any sooner for being asked.
// - Bad input (the `isBadInput` option) goes through all three untouched:
//   never retried, never counted by the breaker.
import { CircuitOpenError } from './errors.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { CircuitBreakerOptions, CircuitBreakerStats, CircuitState } from './circuit-breaker-types.js';
import type { Clock } from './clock.js';
import { neverAborted, type Operation, type Policy } from './policy.js';
import type { RandomSource } from './random.js';
import { Retry, defaultRetryable, type RetryOptions, type RetryStats } from './retry.js';
import { Timeout, type TimeoutOptions, type TimeoutStats } from './timeout.js';
import { checkFunction } from './validate.js';

export interface ErrorRecoveryOptions {
  /** Names the operation in errors; passed to the parts built from options. */
  name?: string;
  /**
   * A breaker, or options to build one. Pass an instance to share one breaker
   * among several coordinators that call the same dependency.
   */
  breaker?: CircuitBreaker | CircuitBreakerOptions;
  /** Retry options; false runs each call once. */
  retry?: Omit<RetryOptions, 'clock' | 'random'> | false;
  /** Per-attempt deadline (ms or options); default none. */
  timeout?: number | Omit<TimeoutOptions, 'clock'> | false;
  /** Clock for every part built here. */
  clock?: Clock;
  /** Jitter source for the retry. */
  random?: RandomSource;
  /**
   * Errors that are the caller's fault, not the dependency's (bad input):
   * never retried and never counted by the breaker, a shared one included.
   * Default: none.
   */
  isBadInput?: (err: unknown) => boolean;
}

export interface ErrorRecoveryStats {
  calls: number;
  successes: number;
  failures: number;
  circuit: CircuitBreakerStats;
  retry: RetryStats | null;
  timeout: TimeoutStats | null;
}

export class ErrorRecoveryCoordinator implements Policy {
  readonly breaker: CircuitBreaker;
  readonly retry: Retry | null;
  readonly timeout: Timeout | null;
  readonly #isBadInput: ((err: unknown) => boolean) | undefined;
  #calls = 0;
  #successes = 0;
  #failures = 0;

  constructor(options: ErrorRecoveryOptions = {}) {
    const { name, clock, isBadInput } = options;
    if (isBadInput !== undefined) checkFunction('errorRecovery.isBadInput', isBadInput);
    this.#isBadInput = isBadInput;
    const b = options.breaker;
    this.breaker = b instanceof CircuitBreaker ? b : new CircuitBreaker({ clock, ...b });
    const r = options.retry;
    if (r === false) {
      this.retry = null;
    } else {
      const userRetryable = r?.retryable ?? defaultRetryable;
      this.retry = new Retry({
        name,
        clock,
        random: options.random,
        ...r,
        // Enforced whatever the user's predicate says: see the header comment.
        retryable: (err, attempt) => !(err instanceof CircuitOpenError) && isBadInput?.(err) !== true && userRetryable(err, attempt),
      });
    }
    const t = options.timeout;
    this.timeout =
      t === undefined || t === false
        ? null
        : new Timeout(typeof t === 'number' ? { timeoutMs: t, name, clock } : { name, clock, ...t });
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /**
   * Runs `op` with retries, through the breaker, each attempt under the
   * timeout. `op` receives a signal to honour: it aborts on the caller's
   * abort and at an attempt's deadline.
   */
  executeWithRecovery<T>(op: Operation<T>, signal?: AbortSignal): Promise<T> {
    this.#calls++;
    const s = signal ?? neverAborted;
    const timeout = this.timeout;
    const bad = this.#isBadInput;
    const attempt: Operation<T> =
      timeout === null
        ? (inner) => this.breaker.execute(op, inner, bad)
        : (inner) => this.breaker.execute((sig) => timeout.execute(op, sig), inner, bad);
    const run = this.retry === null ? attempt(s) : this.retry.execute(attempt, s);
    return run.then(this.#succeeded, this.#failed);
  }

  // Shared handlers: counting outcomes allocates no closures per call.
  readonly #succeeded = <T>(value: T): T => {
    this.#successes++;
    return value;
  };

  readonly #failed = (err: unknown): never => {
    this.#failures++;
    throw err;
  };

  /** The Policy form of executeWithRecovery, so a coordinator composes with wrap(). */
  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.executeWithRecovery(fn, signal);
  }

  stats(): ErrorRecoveryStats {
    return {
      calls: this.#calls,
      successes: this.#successes,
      failures: this.#failures,
      circuit: this.breaker.stats(),
      retry: this.retry?.stats() ?? null,
      timeout: this.timeout?.stats() ?? null,
    };
  }
}
