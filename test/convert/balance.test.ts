// Assigning files to shards by size (longest processing time first) and by
// path hash: deterministic, order-independent, and balanced as far as whole
// files allow.
import { describe, expect, it } from 'vitest';
import { assignShards, PER_FILE_COST, shardOf, type Sized } from '../../dist/index.js';
import { prng } from '../helpers/prng.js';

/** The issue's tree: 10 files of 100 MB and 1000 of 100 KB. */
function issueTree(): Sized[] {
  const files: Sized[] = [];
  for (let i = 0; i < 10; i++) files.push({ rel: `big/${String(i).padStart(2, '0')}.bin`, size: 100e6 });
  for (let i = 0; i < 1000; i++) files.push({ rel: `small/${String(i).padStart(4, '0')}.bin`, size: 100e3 });
  return files;
}

const spread = (bytes: number[]): { maxOverMin: number; fromMean: number } => {
  const mean = bytes.reduce((a, b) => a + b, 0) / bytes.length;
  const max = Math.max(...bytes);
  const min = Math.min(...bytes);
  return { maxOverMin: max / min, fromMean: Math.max(max - mean, mean - min) / mean };
};

/** The same greedy, written plainly (a linear scan for the lightest shard), to check the heap against. */
function naive(files: Sized[], count: number): number[] {
  const load = new Array<number>(count).fill(0);
  const out = new Array<number>(files.length).fill(-1);
  const order = files.map((_, i) => i).sort((a, b) => {
    const fa = files[a] ?? { rel: '', size: 0 };
    const fb = files[b] ?? { rel: '', size: 0 };
    return fb.size - fa.size || (fa.rel < fb.rel ? -1 : 1);
  });
  for (const i of order) {
    let best = 0;
    for (let k = 1; k < count; k++) if ((load[k] ?? 0) < (load[best] ?? 0)) best = k;
    load[best] = (load[best] ?? 0) + (files[i]?.size ?? 0) + PER_FILE_COST;
    out[i] = best;
  }
  return out;
}

describe('assignShards', () => {
  it('10 x 100 MB + 1000 x 100 KB over 4 shards: size-balanced within 10% of the mean, path hash far off', () => {
    const files = issueTree();
    const size = assignShards(files, 4, 'size');
    const path = assignShards(files, 4, 'path');
    // Whole files: some shard must hold 3 of the 10 large ones (300 MB), and the
    // 100 MB of small files can lift the two 200 MB shards only to 250: this is the optimum.
    expect(size.shardBytes).toEqual([300e6, 300e6, 250e6, 250e6]);
    expect(spread(size.shardBytes).fromMean).toBeLessThan(0.1);
    expect(spread(size.shardBytes).maxOverMin).toBeCloseTo(1.2, 6);
    expect(size.shardFiles.reduce((a, b) => a + b, 0)).toBe(1010);
    expect(spread(path.shardBytes).maxOverMin).toBeGreaterThan(2);
    expect(path.shardBytes.reduce((a, b) => a + b, 0)).toBe(1100e6);
  });

  it('does not depend on the order the files are listed in', () => {
    const files = issueTree();
    const a = assignShards(files, 4, 'size');
    const shuffled = [...files].reverse();
    const b = assignShards(shuffled, 4, 'size');
    expect(b.sha256).toBe(a.sha256);
    expect(b.shardBytes).toEqual(a.shardBytes);
    const where = new Map(files.map((f, i) => [f.rel, a.shardOf[i]]));
    shuffled.forEach((f, i) => expect(b.shardOf[i]).toBe(where.get(f.rel)));
  });

  it('matches a plain longest-first greedy on random trees, for 1 to 9 shards', () => {
    const gen = prng(7);
    const next = (): number => gen() / 2 ** 32;
    for (let round = 0; round < 60; round++) {
      const count = 1 + (round % 9);
      const files = Array.from({ length: Math.floor(next() * 200) }, (_, i) => ({ rel: `f${i}`, size: Math.floor(next() * next() * 5e6) }));
      expect(Array.from(assignShards(files, count, 'size').shardOf)).toEqual(naive(files, count));
    }
  });

  it('spreads empty files by number instead of piling them on one shard', () => {
    const files: Sized[] = [{ rel: 'big', size: 10e6 }, ...Array.from({ length: 90 }, (_, i) => ({ rel: `empty-${i}`, size: 0 }))];
    const a = assignShards(files, 3, 'size');
    expect(a.shardFiles[0]).toBe(1);
    expect(a.shardFiles.slice(1)).toEqual([45, 45]);
  });

  it('path balance is the path hash of shardOf, sizes ignored', () => {
    const files = issueTree();
    const a = assignShards(files, 5, 'path');
    files.forEach((f, i) => expect(a.shardOf[i]).toBe(shardOf(f.rel, 5)));
  });

  it('rejects a shard count below 1', () => {
    expect(() => assignShards([], 0, 'size')).toThrow(/shard count 0/);
  });
});
