// Call and failure counts over the last `windowMs`, in a fixed ring of time
// buckets: constant memory and O(1) per call however busy the service is. The
// price is granularity: a call leaves the window within one bucket width
// (windowMs / buckets) of its nominal expiry.
//
// Reading the clock costs more than the rest of a breaker's bookkeeping (a
// syscall on some VMs), so successes do not read it: they go into the newest
// bucket while it is known to be current, and an unref'd timer at the
// bucket's end marks it stale so that the next call reads the clock again.
// Failures and counts() always read it.
import { unrefTimer, type Clock, type TimerHandle } from './clock.js';

function mod(i: number, n: number): number {
  return ((i % n) + n) % n;
}

export interface WindowCounts {
  calls: number;
  failures: number;
}

export class RollingWindow {
  readonly bucketMs: number;
  readonly #calls: Float64Array;
  readonly #failures: Float64Array;
  // Absolute index (floor(time / bucketMs)) of the newest bucket written.
  #head = -Infinity;
  #totalCalls = 0;
  #totalFailures = 0;
  // True while the head bucket is known to be the current one.
  #fresh = false;
  #timer: TimerHandle | undefined;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
    readonly clock: Clock,
  ) {
    this.bucketMs = windowMs / buckets;
    this.#calls = new Float64Array(buckets);
    this.#failures = new Float64Array(buckets);
  }

  record(failed: boolean): void {
    if (failed || !this.#fresh) this.#advance(this.clock.now());
    const slot = mod(this.#head, this.buckets);
    this.#calls[slot] = (this.#calls[slot] ?? 0) + 1;
    this.#totalCalls++;
    if (failed) {
      this.#failures[slot] = (this.#failures[slot] ?? 0) + 1;
      this.#totalFailures++;
    }
  }

  counts(): WindowCounts {
    this.#advance(this.clock.now());
    return { calls: this.#totalCalls, failures: this.#totalFailures };
  }

  reset(): void {
    this.#clearBuckets();
    this.#head = -Infinity;
    this.#fresh = false;
    if (this.#timer !== undefined) {
      this.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #clearBuckets(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#totalCalls = 0;
    this.#totalFailures = 0;
  }

  /** Expires buckets that fell out of the window and makes the head current. */
  #advance(now: number): void {
    const index = Math.floor(now / this.bucketMs);
    const n = this.buckets;
    if (index > this.#head) {
      if (index - this.#head >= n) {
        this.#clearBuckets();
      } else {
        for (let i = this.#head + 1; i <= index; i++) this.#clear(mod(i, n));
      }
      this.#head = index;
    }
    // A clock that stepped back leaves the head as it is: calls land in the
    // newest bucket rather than reviving old ones.
    if (index === this.#head && this.#timer === undefined) {
      this.#fresh = true;
      this.#timer = this.clock.setTimeout(this.#stale, (index + 1) * this.bucketMs - now);
      unrefTimer(this.#timer);
    }
  }

  readonly #stale = (): void => {
    this.#timer = undefined;
    this.#fresh = false;
  };

  #clear(slot: number): void {
    this.#totalCalls -= this.#calls[slot] ?? 0;
    this.#totalFailures -= this.#failures[slot] ?? 0;
    this.#calls[slot] = 0;
    this.#failures[slot] = 0;
  }
}
