// A deadline per call. The operation gets a signal that aborts at the
// deadline (reason: the TimeoutError) or when the caller's signal aborts, so
// well-behaved work stops; the call itself settles at the deadline whether
// or not the operation listens.
import { TimeoutError } from './errors.js';
import { abortErrorFrom, systemClock, type Clock, type TimerHandle } from './clock.js';
import { Observable } from './events.js';
import { invoke, neverAborted, type Operation, type Policy } from './policy.js';
import { checkPositive } from './validate.js';

export interface TimeoutOptions {
  /** Deadline per call, ms from its start. Infinity keeps only the abort linking. */
  timeoutMs: number;
  /** Used in TimeoutError's message. Default 'operation'. */
  name?: string;
  clock?: Clock;
}

export interface TimeoutEvents {
  timeout: { timeoutMs: number };
}

export interface TimeoutStats {
  name: string;
  timeoutMs: number;
  calls: number;
  successes: number;
  failures: number;
  timeouts: number;
  aborted: number;
}

export class Timeout extends Observable<TimeoutEvents> implements Policy {
  readonly name: string;
  readonly timeoutMs: number;
  readonly #clock: Clock;
  #calls = 0;
  #successes = 0;
  #failures = 0;
  #timeouts = 0;
  #aborted = 0;

  constructor(options: TimeoutOptions | number) {
    super();
    const o = typeof options === 'number' ? { timeoutMs: options } : options;
    this.timeoutMs = checkPositive('timeout.timeoutMs', o.timeoutMs, true);
    this.name = o.name ?? 'operation';
    this.#clock = o.clock ?? systemClock;
  }

  execute<T>(fn: Operation<T>, callerSignal?: AbortSignal): Promise<T> {
    // The shared never-aborted signal needs no listener.
    const signal = callerSignal === neverAborted ? undefined : callerSignal;
    this.#calls++;
    if (signal?.aborted === true) {
      this.#aborted++;
      return Promise.reject(abortErrorFrom(signal));
    }
    if (signal === undefined && this.timeoutMs === Infinity) return this.#count(invoke(fn, neverAborted));
    return new Promise<T>((resolve, reject) => {
      const controller = new AbortController();
      let settled = false;
      let timer: TimerHandle | undefined;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (!finish() || signal === undefined) return;
        this.#aborted++;
        const err = abortErrorFrom(signal);
        controller.abort(err);
        reject(err);
      };
      if (this.timeoutMs !== Infinity) {
        timer = this.#clock.setTimeout(() => {
          if (!finish()) return;
          this.#timeouts++;
          const err = new TimeoutError(this.timeoutMs, this.name);
          // Abort first so the operation sees the reason; its late settlement is ignored.
          controller.abort(err);
          this.emit('timeout', { timeoutMs: this.timeoutMs });
          reject(err);
        }, this.timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const op = invoke(fn, controller.signal);
      op.then(
        (value) => {
          if (!finish()) return;
          this.#successes++;
          resolve(value);
        },
        () => {
          if (!finish()) return;
          this.#failures++;
          // Adopting the rejected op passes its reason through untouched.
          resolve(op);
        },
      );
    });
  }

  stats(): TimeoutStats {
    return {
      name: this.name,
      timeoutMs: this.timeoutMs,
      calls: this.#calls,
      successes: this.#successes,
      failures: this.#failures,
      timeouts: this.#timeouts,
      aborted: this.#aborted,
    };
  }

  #count<T>(p: Promise<T>): Promise<T> {
    return p.then(
      (value) => {
        this.#successes++;
        return value;
      },
      (err: unknown) => {
        this.#failures++;
        throw err;
      },
    );
  }
}
