// Time is injected everywhere in the resilience controllers so that tests (and
// simulations) can drive them with a FakeClock instead of sleeping for real.
import { AbortError } from './errors.js';

/** Opaque timer handle returned by a Clock (Node's Timeout, a number...); only its own clearTimeout reads it. */
export type TimerHandle = object | number;

export interface Clock {
  /** Milliseconds; the system clock uses wall time so persisted deadlines survive a restart. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Longest delay one Node timer keeps: longer ones fire after 1 ms (with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A wait longer than one Node timer allows, as a chain of timers; `current` is the one running. */
class LongTimer {
  current: ReturnType<typeof setTimeout>;
  private unrefd = false;
  constructor(fn: () => void, ms: number) {
    const step = (left: number): ReturnType<typeof setTimeout> => {
      const t = left > MAX_TIMER_MS ? setTimeout(() => (this.current = step(left - MAX_TIMER_MS)), MAX_TIMER_MS) : setTimeout(fn, left);
      if (this.unrefd) t.unref();
      return t;
    };
    this.current = step(ms);
  }
  unref(): this {
    this.unrefd = true;
    this.current.unref();
    return this;
  }
}

/** The real clock: Date.now() and Node's timers (waits past 2^31-1 ms chained, so every duration means what it says). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => (ms > MAX_TIMER_MS ? new LongTimer(fn, ms) : setTimeout(fn, ms)),
  clearTimeout: (handle) => {
    clearTimeout(handle instanceof LongTimer ? handle.current : (handle as ReturnType<typeof setTimeout>));
  },
};

/**
 * Lets a timer not keep the process alive, when the clock's handles support it
 * (Node's do, a FakeClock's do not need to). Used for housekeeping timers such
 * as a breaker's open -> half-open transition, never for a wait someone awaits.
 */
export function unrefTimer(handle: TimerHandle): void {
  if (typeof handle === 'object' && 'unref' in handle) {
    const unref: unknown = handle.unref;
    if (typeof unref === 'function') unref.call(handle);
  }
}

/** The AbortError a cancelled wait or call rejects with; keeps the signal's reason as cause. */
export function abortErrorFrom(signal: AbortSignal, what = 'operation'): AbortError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError(`${what} aborted`, { cause: reason });
}

/**
 * Waits `ms` on `clock`. An abort rejects at once with AbortError and clears
 * the timer, so a cancelled wait leaves nothing behind.
 */
export function sleep(ms: number, clock: Clock = systemClock, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal, 'wait'));
  return new Promise<void>((resolve, reject) => {
    if (signal === undefined) {
      clock.setTimeout(resolve, ms);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortErrorFrom(signal, 'wait'));
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
