// A manual clock for tests and simulations: time only moves when told to, and
// timers fire in (due time, creation order) order, so runs are deterministic.
import { ValidationError } from './errors.js';
import type { Clock, TimerHandle } from './clock.js';

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Lets every queued promise continuation run (a macrotask turn drains them all). */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  // Kept sorted by (due, id); timer counts in tests are small.
  #timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Like Node: negative, NaN or missing delays fire as soon as possible.
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: FakeTimer = { id: this.#nextId++, due: this.#now + delay, fn };
    let i = this.#timers.length;
    while (i > 0) {
      const before = this.#timers[i - 1];
      if (before === undefined || before.due <= timer.due) break;
      i--;
    }
    this.#timers.splice(i, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.#timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Due time of the next timer, or undefined when none is pending. */
  get nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const target = this.#target(ms);
    for (let t = this.#takeDue(target); t !== undefined; t = this.#takeDue(target)) t.fn();
    this.#now = target;
  }

  /** Fires every pending timer (and the ones they schedule), moving time to each. */
  runAll(limit = 10_000): void {
    for (let n = 0; n < limit; n++) {
      const t = this.#takeDue(Infinity);
      if (t === undefined) return;
      t.fn();
    }
    throw new Error(`FakeClock.runAll: more than ${limit} timers fired; a timer keeps rescheduling itself`);
  }

  /**
   * Like advance(), but lets promise continuations run after each timer, so a
   * chain of awaits and timers (a retry loop, say) plays out as it would live.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#target(ms);
    await drainMicrotasks();
    for (let t = this.#takeDue(target); t !== undefined; t = this.#takeDue(target)) {
      t.fn();
      await drainMicrotasks();
    }
    this.#now = target;
  }

  /** Like runAll(), draining promise continuations after each timer. */
  async runAllAsync(limit = 10_000): Promise<void> {
    await drainMicrotasks();
    for (let n = 0; n < limit; n++) {
      const t = this.#takeDue(Infinity);
      if (t === undefined) return;
      t.fn();
      await drainMicrotasks();
    }
    throw new Error(`FakeClock.runAllAsync: more than ${limit} timers fired; a timer keeps rescheduling itself`);
  }

  #target(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new ValidationError('ms', 'must be a finite number >= 0');
    return this.#now + ms;
  }

  #takeDue(limit: number): FakeTimer | undefined {
    const first = this.#timers[0];
    if (first === undefined || first.due > limit) return undefined;
    this.#timers.shift();
    if (first.due > this.#now) this.#now = first.due;
    return first;
  }
}
