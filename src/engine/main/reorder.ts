// The reorder window: workers finish chunks out of order; the writer takes
// them back in sequence order. Its size is bounded by the ring, since a
// chunk holds its slot until it is written.

export interface ReadyChunk {
  seq: number;
  slot: number;
}

export class ReorderWindow {
  private readonly ready = new Map<number, number>();
  private waiter: (() => void) | undefined;
  /** Next sequence number the writer expects. */
  next = 0;

  put(seq: number, slot: number): void {
    this.ready.set(seq, slot);
    this.wake();
  }

  /** Takes up to `max` consecutive chunks from `next` whose sequence is below `limit`. */
  take(max: number, limit: number): ReadyChunk[] {
    const out: ReadyChunk[] = [];
    while (out.length < max && this.next < limit) {
      const slot = this.ready.get(this.next);
      if (slot === undefined) break;
      this.ready.delete(this.next);
      out.push({ seq: this.next, slot });
      this.next++;
    }
    return out;
  }

  /** Resolves at the next `put` or `wake`. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }

  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
