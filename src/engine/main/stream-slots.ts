// A stream's own slots, taken from the engine's ring when it starts and
// given back when it ends. Slots are handed out from a free list; when none
// is free, `acquire` waits: that wait is the backpressure that slows the
// stream's reader, and it bounds the stream's memory.
import { AbortError } from '../../errors.js';
import type { Ring } from './ring.js';

export class StreamSlots {
  private readonly free: number[];
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly ring: Ring,
    readonly all: readonly number[],
  ) {
    // Lowest first keeps the working set small for short inputs.
    this.free = [...all].reverse();
  }

  get count(): number {
    return this.all.length;
  }

  get inUse(): number {
    return this.all.length - this.free.length;
  }

  /** Takes up to `max` free slots, waiting for at least one. */
  async acquire(max: number, signal?: AbortSignal): Promise<number[]> {
    while (this.free.length === 0) await this.waitForFree(signal);
    const n = Math.min(max, this.free.length);
    return this.free.splice(this.free.length - n, n).reverse();
  }

  release(slot: number): void {
    if (this.closed) return;
    this.free.push(slot);
    this.waiters.shift()?.();
  }

  /** Gives every slot back to the ring (the stream has ended; nothing may still use them). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.all) this.ring.freeSlot(slot);
  }

  private waitForFree(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const aborted = (): AbortError => new AbortError('aborted while waiting for a free ring slot', { cause: signal?.reason });
      if (signal?.aborted === true) {
        reject(aborted());
        return;
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(aborted());
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
