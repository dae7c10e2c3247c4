// The SharedArrayBuffer ring of fixed-size slots, main-thread side. Slots are
// handed out from a free list; when none is free, `acquire` waits: that wait
// is the backpressure that slows the reader, and it bounds memory.
import { AbortError } from '../../errors.js';
import { adviseHugePages } from '../backends/native.js';
import { RingView, ringBytes, type RingLayout } from '../contract/slots.js';

export class Ring extends RingView {
  /** Bytes of the ring the kernel was asked to back with huge pages. */
  readonly hugePageBytes: number;
  private readonly free: number[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(layout: RingLayout) {
    super(new SharedArrayBuffer(ringBytes(layout)), layout);
    // Before anything touches it: the first pass over a fresh ring was
    // mostly page faults (see native/memory.c).
    this.hugePageBytes = adviseHugePages(this.bytes);
    // Lowest slots first keeps the working set small for short inputs.
    for (let s = layout.slots - 1; s >= 0; s--) this.free.push(s);
  }

  get slotCount(): number {
    return this.layout.slots;
  }

  get inUse(): number {
    return this.layout.slots - this.free.length;
  }

  /** Takes up to `max` free slots, waiting for at least one. */
  async acquire(max: number, signal?: AbortSignal): Promise<number[]> {
    while (this.free.length === 0) {
      await this.waitForFree(signal);
    }
    const n = Math.min(max, this.free.length);
    return this.free.splice(this.free.length - n, n).reverse();
  }

  /** Marks every slot free again (between runs; no waiter may be pending). */
  reset(): void {
    this.free.length = 0;
    for (let s = this.layout.slots - 1; s >= 0; s--) this.free.push(s);
    this.waiters.length = 0;
  }

  release(slot: number): void {
    this.free.push(slot);
    const wake = this.waiters.shift();
    if (wake !== undefined) wake();
  }

  private waitForFree(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new AbortError('aborted while waiting for a free ring slot', { cause: signal.reason }));
        return;
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new AbortError('aborted while waiting for a free ring slot', { cause: signal?.reason }));
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }
}
