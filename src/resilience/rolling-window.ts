// Call and failure counts over the last `windowMs`, in a fixed ring of time
// buckets: constant memory and O(1) per call however busy the service is. The
// price is granularity: a call leaves the window within one bucket width
// (windowMs / buckets) of its nominal expiry.

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

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
  ) {
    this.bucketMs = windowMs / buckets;
    this.#calls = new Float64Array(buckets);
    this.#failures = new Float64Array(buckets);
  }

  record(now: number, failed: boolean): void {
    const slot = this.#advance(now);
    this.#calls[slot] = (this.#calls[slot] ?? 0) + 1;
    this.#totalCalls++;
    if (failed) {
      this.#failures[slot] = (this.#failures[slot] ?? 0) + 1;
      this.#totalFailures++;
    }
  }

  counts(now: number): WindowCounts {
    this.#advance(now);
    return { calls: this.#totalCalls, failures: this.#totalFailures };
  }

  reset(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#totalCalls = 0;
    this.#totalFailures = 0;
    this.#head = -Infinity;
  }

  /** Expires buckets that fell out of the window; returns the slot for `now`. */
  #advance(now: number): number {
    const index = Math.floor(now / this.bucketMs);
    const n = this.buckets;
    if (index > this.#head) {
      if (index - this.#head >= n) {
        this.reset();
      } else {
        for (let i = this.#head + 1; i <= index; i++) this.#clear(mod(i, n));
      }
      this.#head = index;
    }
    // A clock that steps back lands in the newest bucket rather than reviving old ones.
    return mod(this.#head, n);
  }

  #clear(slot: number): void {
    this.#totalCalls -= this.#calls[slot] ?? 0;
    this.#totalFailures -= this.#failures[slot] ?? 0;
    this.#calls[slot] = 0;
    this.#failures[slot] = 0;
  }
}
