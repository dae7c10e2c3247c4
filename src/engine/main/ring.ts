// The engine's one SharedArrayBuffer, main-thread side: control blocks and
// an arena that streams carve their slots out of. A stream asks for slots of
// its own sizes (a chunk in, LZ4's bound or a chunk out) when it starts and
// gives them back when it ends; memory is therefore bounded by the engine's
// budget whatever the number of streams, and streams with different chunk
// sizes share one buffer (and one pool).
import { adviseHugePages } from '../backends/native.js';
import { RingView, alignArea, arenaStart, bufferBytes, type BufferLayout } from '../contract/slots.js';

/** First-fit free list over [0, size), extents kept sorted and merged. */
class FreeList {
  /** [start, length] pairs, sorted by start, never adjacent. */
  private readonly extents: Array<[number, number]>;
  free: number;

  constructor(size: number) {
    this.extents = size > 0 ? [[0, size]] : [];
    this.free = size;
  }

  alloc(n: number): number | undefined {
    for (let i = 0; i < this.extents.length; i++) {
      const e = this.extents[i];
      if (e === undefined || e[1] < n) continue;
      const at = e[0];
      if (e[1] === n) this.extents.splice(i, 1);
      else this.extents[i] = [at + n, e[1] - n];
      this.free -= n;
      return at;
    }
    return undefined;
  }

  release(at: number, n: number): void {
    this.free += n;
    let lo = 0;
    let hi = this.extents.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.extents[mid]?.[0] ?? 0) < at) lo = mid + 1;
      else hi = mid;
    }
    const prev = this.extents[lo - 1];
    const next = this.extents[lo];
    const joinsPrev = prev !== undefined && prev[0] + prev[1] === at;
    const joinsNext = next !== undefined && at + n === next[0];
    if (joinsPrev && joinsNext) {
      prev[1] += n + next[1];
      this.extents.splice(lo, 1);
    } else if (joinsPrev) {
      prev[1] += n;
    } else if (joinsNext) {
      next[0] = at;
      next[1] += n;
    } else {
      this.extents.splice(lo, 0, [at, n]);
    }
  }

  /** The largest extent (what one allocation can get at most now). */
  largest(): number {
    let m = 0;
    for (const e of this.extents) m = Math.max(m, e[1]);
    return m;
  }
}

/** One slot's areas, as the arena placed them. */
interface Placement {
  inputAt: number;
  inputBytes: number;
  outputAt: number;
  outputBytes: number;
}

export class Ring extends RingView {
  /** Bytes of the buffer the kernel was asked to back with huge pages. */
  readonly hugePageBytes: number;
  private readonly arena: FreeList;
  private readonly freeSlots: number[] = [];
  private readonly placed = new Map<number, Placement>();
  private readonly base: number;

  constructor(layout: BufferLayout) {
    super(new SharedArrayBuffer(bufferBytes(layout)), layout);
    // Before anything touches it: the first pass over fresh memory was mostly
    // page faults (see native/memory.c).
    this.hugePageBytes = adviseHugePages(this.bytes);
    this.base = arenaStart(layout);
    this.arena = new FreeList(layout.arenaBytes);
    // Lowest slots first keeps the control blocks in use close together.
    for (let s = layout.controlSlots - 1; s >= 0; s--) this.freeSlots.push(s);
  }

  /** Arena bytes a slot with these areas takes. */
  static slotBytes(inputBytes: number, outputBytes: number): number {
    return alignArea(inputBytes) + alignArea(outputBytes);
  }

  get arenaBytes(): number {
    return this.layout.arenaBytes;
  }

  get arenaFree(): number {
    return this.arena.free;
  }

  get slotsInUse(): number {
    return this.placed.size;
  }

  /** A slot with areas of these sizes, or undefined when there is no room now. */
  allocSlot(inputBytes: number, outputBytes: number): number | undefined {
    if (this.freeSlots.length === 0) return undefined;
    const bytes = Ring.slotBytes(inputBytes, outputBytes);
    const at = this.arena.alloc(bytes);
    if (at === undefined) return undefined;
    const slot = this.freeSlots.pop();
    if (slot === undefined) {
      this.arena.release(at, bytes);
      return undefined;
    }
    const inputAt = this.base + at;
    const p = { inputAt, inputBytes, outputAt: inputAt + alignArea(inputBytes), outputBytes };
    this.placed.set(slot, p);
    this.place(slot, p.inputAt, p.inputBytes, p.outputAt, p.outputBytes);
    return slot;
  }

  freeSlot(slot: number): void {
    const p = this.placed.get(slot);
    if (p === undefined) return;
    this.placed.delete(slot);
    this.arena.release(p.inputAt - this.base, Ring.slotBytes(p.inputBytes, p.outputBytes));
    this.freeSlots.push(slot);
  }

  /** Whether `slots` slots of these sizes could ever fit (an empty arena). */
  couldFit(slots: number, inputBytes: number, outputBytes: number): boolean {
    return slots <= this.layout.controlSlots && slots * Ring.slotBytes(inputBytes, outputBytes) <= this.layout.arenaBytes;
  }
}
