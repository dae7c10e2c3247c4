// Unit tests of the engine's pieces, outside any run: the ring's free list
// and backpressure, the reorder window, ring plans, and worker waves.
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../dist/errors.js';
import { Ring } from '../../dist/engine/main/ring.js';
import { ReorderWindow } from '../../dist/engine/main/reorder.js';
import { packRing, planRing, readRing } from '../../dist/engine/main/ring-plan.js';
import { inWaves, WAVE_BYTES } from '../../dist/engine/worker/waves.js';
import { lz4Bound, ringBytes } from '../../dist/engine/contract/slots.js';

describe('Ring', () => {
  const layout = { slots: 4, inputBytes: 1000, outputBytes: 100 };

  it('hands out the lowest slots first and waits when none is free', async () => {
    const ring = new Ring(layout);
    expect(await ring.acquire(3)).toEqual([0, 1, 2]);
    expect(ring.inUse).toBe(3);
    expect(await ring.acquire(3)).toEqual([3]);
    let got: number[] | undefined;
    const waiting = ring.acquire(2).then((s) => (got = s));
    await Promise.resolve();
    expect(got).toBeUndefined();
    ring.release(1);
    await waiting;
    expect(got).toEqual([1]);
  });

  it('keeps control fields, areas, inputs and outputs of each slot apart', () => {
    const ring = new Ring(layout);
    expect(ring.sab.byteLength).toBe(ringBytes(layout));
    for (let s = 0; s < layout.slots; s++) {
      ring.set(s, 'length', 1000 + s);
      ring.area(s, 'digest').fill(s + 1);
      ring.input(s).fill(s + 10);
      ring.output(s).fill(s + 20);
    }
    for (let s = 0; s < layout.slots; s++) {
      expect(ring.get(s, 'length')).toBe(1000 + s);
      expect(ring.area(s, 'digest').every((b) => b === s + 1)).toBe(true);
      expect(ring.input(s).every((b) => b === s + 10)).toBe(true);
      expect(ring.output(s).every((b) => b === s + 20)).toBe(true);
      expect(ring.inputAt(s) % 64).toBe(0);
    }
  });

  it('stops waiting for a slot when its signal aborts', async () => {
    const ring = new Ring(layout);
    await ring.acquire(4);
    const ctl = new AbortController();
    const waiting = ring.acquire(1, ctl.signal);
    ctl.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    // The aborted waiter does not swallow the next release.
    const next = ring.acquire(1);
    ring.release(2);
    await expect(next).resolves.toEqual([2]);
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

describe('ring plans', () => {
  it('batches small chunks up to ~8 MiB per task and at least two chunks', () => {
    expect(planRing(64 << 10, 2).batch).toBe(128);
    expect(planRing(1 << 20, 2).batch).toBe(8);
    expect(planRing(4 << 20, 2).batch).toBe(2);
    expect(planRing(64 << 20, 2).batch).toBe(2);
    expect(planRing(4096, 2).batch).toBe(1024);
  });

  it('gives each worker two batches of slots within the memory budget, and never fewer than workers + 2', () => {
    expect(planRing(1 << 20, 2).slots).toBe(32);
    expect(planRing(1 << 20, 8).slots).toBe(96); // 96 MiB of 1 MiB slots
    expect(planRing(64 << 20, 4).slots).toBe(6);
  });

  it('honours an explicit slot count, batching within half of it', () => {
    expect(planRing(1 << 20, 2, 6)).toEqual({ slots: 6, batch: 3 });
    expect(() => planRing(1 << 20, 2, 1)).toThrow(/at least 2/);
  });

  it('sizes pack output areas for LZ4 only when compressing, and read inputs for a whole block', () => {
    expect(packRing(1 << 20, 2, false).layout.outputBytes).toBe(0);
    expect(packRing(1 << 20, 2, true).layout.outputBytes).toBe(lz4Bound(1 << 20));
    const r = readRing(1 << 20, 2);
    expect(r.layout.inputBytes).toBeGreaterThan(1 << 20);
    expect(r.layout.outputBytes).toBe(1 << 20);
    expect(r.recordLimit).toBeLessThan(r.layout.inputBytes);
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
      return { kind: 'transient', message: 'x' };
    });
    expect(result).toEqual({ kind: 'transient', message: 'x' });
    expect(seen).toHaveLength(1);
  });
});
