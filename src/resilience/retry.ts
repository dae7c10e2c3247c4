// Retries transient failures with exponential backoff and jitter; gives up
// with RetryExhaustedError, and never retries what cannot get better.
import { AbortError, CircuitOpenError, RetryExhaustedError } from './errors.js';
import { computeDelay, validateBackoff, type BackoffOptions, type Jitter } from './backoff.js';
import { abortErrorFrom, sleep, systemClock, type Clock } from './clock.js';
import { Observable } from './events.js';
import { invoke, neverAborted, type Operation, type Policy } from './policy.js';
import type { RandomSource } from './random.js';
import { checkFunction, checkInteger } from './validate.js';

export interface RetryOptions {
  /** Used in RetryExhaustedError's message. Default 'operation'. */
  name?: string;
  /** Attempts in all, the first included. Default 3; Infinity retries until success or abort. */
  maxAttempts?: number;
  /** Delay before the first retry, ms. Default 100. */
  baseDelay?: number;
  /** No delay exceeds this, ms. Default 30 000. */
  maxDelay?: number;
  /** Growth of the delay ceiling per retry. Default 2. */
  multiplier?: number;
  /** Default 'full' (spreads retries of many callers best, per the AWS study). */
  jitter?: Jitter;
  /** Whether to retry after `err` on attempt `attempt` (1-based). Default: defaultRetryable. */
  retryable?: (err: unknown, attempt: number) => boolean;
  clock?: Clock;
  /** [0, 1) source for jitter. Default Math.random; pass seededRandom(n) for repeatable delays. */
  random?: RandomSource;
}

export const retryDefaults = {
  name: 'operation',
  maxAttempts: 3,
  baseDelay: 100,
  maxDelay: 30_000,
  multiplier: 2,
  jitter: 'full' as Jitter,
} as const;

/**
 * An abort is the caller saying stop; an open breaker is a dependency saying
 * "not now" and retrying into it only burns the attempts (it re-opens no
 * sooner for being asked). Bad input, which fails the same way every time,
 * is the caller's to name: a `retryable` of its own, or the coordinator's
 * `isBadInput`.
 */
export function defaultRetryable(err: unknown): boolean {
  return !(err instanceof AbortError) && !(err instanceof CircuitOpenError);
}

export type GiveUpReason = 'exhausted' | 'not-retryable' | 'aborted';

export interface RetryEvents {
  /** An attempt failed and another follows after `delayMs`. `attempt` is the one that failed. */
  retry: { attempt: number; delayMs: number; error: unknown };
  giveUp: { attempts: number; error: unknown; reason: GiveUpReason };
  success: { attempts: number };
}

export interface RetryStats {
  name: string;
  calls: number;
  successes: number;
  /** Successes that needed at least one retry. */
  recovered: number;
  /** Retries scheduled (waits started). */
  retries: number;
  exhausted: number;
  notRetryable: number;
  aborted: number;
}

export class Retry extends Observable<RetryEvents> implements Policy {
  readonly name: string;
  readonly maxAttempts: number;
  readonly backoff: Readonly<BackoffOptions>;
  readonly #retryable: (err: unknown, attempt: number) => boolean;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  #calls = 0;
  #successes = 0;
  #recovered = 0;
  #retries = 0;
  #exhausted = 0;
  #notRetryable = 0;
  #aborted = 0;

  constructor(options: RetryOptions = {}) {
    super();
    this.name = options.name ?? retryDefaults.name;
    this.maxAttempts = checkInteger('retry.maxAttempts', options.maxAttempts ?? retryDefaults.maxAttempts, 1, true);
    this.backoff = validateBackoff(
      {
        baseDelay: options.baseDelay ?? retryDefaults.baseDelay,
        maxDelay: options.maxDelay ?? Math.max(retryDefaults.maxDelay, options.baseDelay ?? 0),
        multiplier: options.multiplier ?? retryDefaults.multiplier,
        jitter: options.jitter ?? retryDefaults.jitter,
      },
      'retry',
    );
    this.#retryable = options.retryable ?? defaultRetryable;
    checkFunction('retry.retryable', this.#retryable);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    checkFunction('retry.random', this.#random);
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const s = signal ?? neverAborted;
    this.#calls++;
    if (s.aborted) return this.#fail(0, abortErrorFrom(s), 'aborted');
    // Hot path: most calls succeed first time, so the first attempt runs on a
    // shared success handler and only a failure enters the retry loop.
    return invoke(fn, s).then(this.#firstSuccess, (err: unknown) => this.#retryAfter(fn, s, err));
  }

  readonly #firstSuccess = <T>(value: T): T => {
    this.#successes++;
    if (this.hasListeners('success')) this.emit('success', { attempts: 1 });
    return value;
  };

  /** The retry loop, entered with attempt 1's failure. */
  async #retryAfter<T>(fn: Operation<T>, s: AbortSignal, firstError: unknown): Promise<T> {
    let error = firstError;
    let previous: number | undefined;
    for (let attempt = 1; ; attempt++) {
      if (s.aborted) throw this.#giveUp(attempt, error instanceof AbortError ? error : abortErrorFrom(s), 'aborted');
      if (!this.#retryable(error, attempt)) throw this.#giveUp(attempt, error, 'not-retryable');
      if (attempt >= this.maxAttempts) {
        throw this.#giveUp(attempt, new RetryExhaustedError(attempt, error, this.name), 'exhausted');
      }
      const delayMs = computeDelay(attempt, this.backoff, this.#random, previous);
      previous = delayMs;
      this.#retries++;
      this.emit('retry', { attempt, delayMs, error });
      try {
        // The abort cancels the wait itself, not just the attempt after it.
        await sleep(delayMs, this.#clock, s === neverAborted ? undefined : s);
      } catch (err) {
        throw this.#giveUp(attempt, err, 'aborted');
      }
      try {
        const value = await fn(s);
        this.#successes++;
        this.#recovered++;
        if (this.hasListeners('success')) this.emit('success', { attempts: attempt + 1 });
        return value;
      } catch (err) {
        error = err;
      }
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async turns the throw into a rejection
  async #fail(attempts: number, error: Error, reason: GiveUpReason): Promise<never> {
    throw this.#giveUp(attempts, error, reason);
  }

  stats(): RetryStats {
    return {
      name: this.name,
      calls: this.#calls,
      successes: this.#successes,
      recovered: this.#recovered,
      retries: this.#retries,
      exhausted: this.#exhausted,
      notRetryable: this.#notRetryable,
      aborted: this.#aborted,
    };
  }

  /** Counts and announces giving up; returns what the caller receives. */
  #giveUp(attempts: number, error: unknown, reason: GiveUpReason): unknown {
    if (reason === 'exhausted') this.#exhausted++;
    else if (reason === 'not-retryable') this.#notRetryable++;
    else this.#aborted++;
    // The event carries the underlying failure, not the wrapper.
    const cause = reason === 'exhausted' && error instanceof RetryExhaustedError ? error.cause : error;
    this.emit('giveUp', { attempts, error: cause, reason });
    return error;
  }
}
