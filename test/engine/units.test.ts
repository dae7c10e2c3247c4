// Unit tests of the engine's pieces, outside any run: the ring's arena, a
// stream's slots and their backpressure, the reorder window, stream plans,
// and worker waves.
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../dist/errors.js';
import { Ring } from '../../dist/engine/main/ring.js';
import { StreamSlots } from '../../dist/engine/main/stream-slots.js';
import { ReorderWindow } from '../../dist/engine/main/reorder.js';
import { packPlan, readPlan } from '../../dist/engine/main/ring-plan.js';
import { inWaves, WAVE_BYTES } from '../../dist/engine/worker/waves.js';
import { lz4Bound } from '../../dist/engine/contract/slots.js';

describe('Ring', () => {
  const MiB = 1 << 20;

  it('carves slots of any size out of its arena and gets the memory back, merged, when they are freed', () => {
    const ring = new Ring({ controlSlots: 8, arenaBytes: 4 * MiB });
    const a = ring.allocSlot(MiB, MiB);
    const b = ring.allocSlot(64 << 10, 0);
    const c = ring.allocSlot(MiB, 0);
    if (a === undefined || b === undefined || c === undefined) throw new Error('no slot');
    expect(ring.allocSlot(2 * MiB, 0)).toBeUndefined();
    expect(ring.slotsInUse).toBe(3);
    ring.freeSlot(a);
    ring.freeSlot(c);
    // a and c are not adjacent (b sits between them): 2 MiB in one piece only once b goes.
    expect(ring.allocSlot(2 * MiB + 1, 0)).toBeUndefined();
    ring.freeSlot(b);
    expect(ring.arenaFree).toBe(4 * MiB);
    const big = ring.allocSlot(2 * MiB, 2 * MiB);
    expect(big).toBeDefined();
  });

  it('keeps control fields, areas, inputs and outputs of each slot apart', () => {
    const ring = new Ring({ controlSlots: 4, arenaBytes: 1 << 20 });
    const slots = [ring.allocSlot(1000, 100), ring.allocSlot(333, 0), ring.allocSlot(64, 4096)].map((s) => s ?? -1);
    slots.forEach((s, i) => {
      ring.set(s, 'length', 1000 + i);
      ring.area(s, 'digest').fill(i + 1);
      ring.input(s).fill(i + 10);
      ring.output(s).fill(i + 20);
    });
    slots.forEach((s, i) => {
      expect(ring.get(s, 'length')).toBe(1000 + i);
      expect(ring.area(s, 'digest').every((b) => b === i + 1)).toBe(true);
      expect(ring.input(s).every((b) => b === i + 10)).toBe(true);
      expect(ring.output(s).every((b) => b === i + 20)).toBe(true);
      expect(ring.inputAt(s) % 64).toBe(0);
    });
    expect(ring.input(slots[1] ?? 0).length).toBe(333);
    expect(ring.output(slots[1] ?? 0).length).toBe(0);
  });

  it('says when a plan could never fit', () => {
    const ring = new Ring({ controlSlots: 4, arenaBytes: 4 * MiB });
    expect(ring.couldFit(2, MiB, MiB)).toBe(true);
    expect(ring.couldFit(3, MiB, MiB)).toBe(false);
    expect(ring.couldFit(5, 1, 0)).toBe(false);
  });
});

describe('StreamSlots', () => {
  const ring = (): Ring => new Ring({ controlSlots: 16, arenaBytes: 1 << 20 });
  const own = (r: Ring, n: number): StreamSlots => new StreamSlots(r, Array.from({ length: n }, () => r.allocSlot(1000, 0) ?? -1));

  it('hands out its lowest slots first and waits when none is free', async () => {
    const slots = own(ring(), 4);
    const [s0, s1, s2, s3] = slots.all;
    expect(await slots.acquire(3)).toEqual([s0, s1, s2]);
    expect(slots.inUse).toBe(3);
    expect(await slots.acquire(3)).toEqual([s3]);
    let got: number[] | undefined;
    const waiting = slots.acquire(2).then((s) => (got = s));
    await Promise.resolve();
    expect(got).toBeUndefined();
    slots.release(s1 ?? -1);
    await waiting;
    expect(got).toEqual([s1]);
  });

  it('stops waiting for a slot when its signal aborts', async () => {
    const slots = own(ring(), 2);
    await slots.acquire(2);
    const ctl = new AbortController();
    const waiting = slots.acquire(1, ctl.signal);
    ctl.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    // The aborted waiter does not swallow the next release.
    const next = slots.acquire(1);
    slots.release(slots.all[1] ?? -1);
    await expect(next).resolves.toEqual([slots.all[1]]);
  });

  it('gives every slot back to the ring when closed', () => {
    const r = ring();
    const slots = own(r, 3);
    expect(r.slotsInUse).toBe(3);
    slots.close();
    expect(r.slotsInUse).toBe(0);
    expect(r.arenaFree).toBe(1 << 20);
  });
});

describe('ReorderWindow', () => {
  it('gives chunks back in sequence order, only consecutive ones, below the limit', () => {
    const w = new ReorderWindow();
    w.put(2, 12);
    w.put(1, 11);
    expect(w.take(10, 100)).toEqual([]);
    w.put(0, 10);
    expect(w.take(2, 100)).toEqual([
      { seq: 0, slot: 10 },
      { seq: 1, slot: 11 },
    ]);
    expect(w.take(10, 2)).toEqual([]);
    expect(w.take(10, 3)).toEqual([{ seq: 2, slot: 12 }]);
    expect(w.next).toBe(3);
  });

  it('wakes a waiting writer on put and on wake', async () => {
    const w = new ReorderWindow();
    const first = w.wait();
    w.put(0, 1);
    await first;
    const second = w.wait();
    w.wake();
    await second;
  });
});

describe('stream plans', () => {
  const MiB = 1 << 20;

  it('batches small chunks up to ~8 MiB per task and at least two chunks', () => {
    expect(packPlan(64 << 10, 2, false, undefined).batch).toBe(128);
    expect(packPlan(MiB, 2, false, undefined).batch).toBe(8);
    expect(packPlan(4 * MiB, 2, false, undefined).batch).toBe(2);
    // 4 KiB chunks: a stream takes at most 1024 slots, so batches of half of them.
    expect(packPlan(4096, 2, false, undefined)).toMatchObject({ slots: 1024, batch: 512 });
  });

  it('gives a stream two batches of slots per worker within its memory budget, never fewer than workers + 2', () => {
    expect(packPlan(MiB, 2, false, undefined).slots).toBe(32);
    expect(packPlan(MiB, 8, false, undefined).slots).toBe(96); // 96 MiB of 1 MiB slots
    expect(packPlan(64 * MiB, 4, false, undefined).slots).toBe(6);
  });

  it('asks for no more than a known input needs', () => {
    expect(packPlan(MiB, 2, true, 64 << 10)).toMatchObject({ slots: 1, minSlots: 1, batch: 1, inputBytes: 64 << 10, outputBytes: lz4Bound(64 << 10) });
    expect(packPlan(MiB, 2, false, 0)).toMatchObject({ slots: 1, inputBytes: 1 });
    expect(packPlan(MiB, 2, false, 3 * MiB + 1)).toMatchObject({ slots: 4, minSlots: 2, inputBytes: MiB });
    // Unknown size: two slots at least (the newest chunk waits to learn whether it is final).
    expect(packPlan(MiB, 2, false, undefined).minSlots).toBe(2);
  });

  it('honours an explicit slot count, batching within half of it', () => {
    expect(packPlan(MiB, 2, false, undefined, 6)).toMatchObject({ slots: 6, batch: 3 });
    expect(() => packPlan(MiB, 2, false, undefined, 1)).toThrow(/at least 2/);
  });

  it('sizes read slots for a whole block in and a chunk out, bounded by the container file', () => {
    const r = readPlan(MiB, 2, undefined);
    expect(r.inputBytes).toBeGreaterThan(MiB);
    expect(r.outputBytes).toBe(MiB);
    expect(r.recordLimit).toBeLessThan(r.inputBytes);
    expect(readPlan(MiB, 2, 5000)).toMatchObject({ slots: 2, minSlots: 1, inputBytes: 5000 });
  });
});

describe('worker waves', () => {
  const waves = (weights: number[]): number[][] => {
    const groups: number[][] = [];
    inWaves(weights.map((_, i) => i), (slot) => weights[slot] ?? 0, (group) => {
      groups.push(group);
      return null;
    });
    return groups;
  };

  it('groups slots up to the wave size, an even number where it can', () => {
    const MiB = 1 << 20;
    expect(WAVE_BYTES).toBe(2 * MiB);
    expect(waves([MiB, MiB, MiB, MiB])).toEqual([[0, 1], [2, 3]]);
    // A block is a little over a chunk: still two to a wave.
    expect(waves([MiB + 100, MiB + 100, MiB + 100])).toEqual([[0, 1], [2]]);
    expect(waves(Array<number>(5).fill(64 << 10))).toEqual([[0, 1, 2, 3, 4]]);
    expect(waves([8 * MiB, 8 * MiB, 8 * MiB])).toEqual([[0, 1], [2]]);
  });

  it('stops at the first failing wave', () => {
    const seen: number[][] = [];
    const result = inWaves([0, 1, 2, 3], () => 2 << 20, (group) => {
      seen.push(group);
      return { kind: 'input-changed', reason: 'x' };
    });
    expect(result).toEqual({ kind: 'input-changed', reason: 'x' });
    expect(seen).toHaveLength(1);
  });
});
