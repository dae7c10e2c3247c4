import { describe, expect, it } from 'vitest';
import { hashJobTable, setHashJob } from '../../dist/engine/backends/job-table.js';
import { BACKENDS, hashHex, hex, referenceHex } from './backends.js';
import { below, fillRandom, randomBytes, splitmix32 } from './prng.js';

// Lengths around the padding edges: 55 is the last that pads within its own
// block, 56..63 spill into a second one, 119/120 the same one block later.
const EDGE_LENGTHS = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 4096, 65536 + 3];
const GROUP_SIZES = [1, 2, 3, 4, 5, 9];
const MiB = 1024 * 1024;

describe.each(BACKENDS)('batches: $name', ({ create }) => {
  it.each(EDGE_LENGTHS)('hashes groups of equal length %i', async (length) => {
    const hasher = await create();
    const rng = splitmix32(length);
    for (const size of GROUP_SIZES) {
      const inputs = Array.from({ length: size }, () => randomBytes(rng, length));
      expect(hashHex(hasher, inputs)).toEqual(inputs.map(referenceHex));
    }
  });

  it.each(GROUP_SIZES)('hashes groups of %i unequal lengths', async (size) => {
    const hasher = await create();
    const rng = splitmix32(1000 + size);
    for (let trial = 0; trial < 12; trial++) {
      const lengths = Array.from({ length: size }, () => EDGE_LENGTHS[below(rng, EDGE_LENGTHS.length)] ?? 0);
      const inputs = lengths.map((length) => randomBytes(rng, length));
      expect(hashHex(hasher, inputs), `lengths ${lengths.join(',')}`).toEqual(inputs.map(referenceHex));
    }
  });

  it('hashes mixed batches: equal-length fours and leftovers in one call', async () => {
    const hasher = await create();
    const rng = splitmix32(77);
    // 6 of one length, 5 of another, then singles: full groups, leftovers
    // that share lanes, and lanes that finish at different blocks.
    const lengths = [...Array<number>(6).fill(300), ...Array<number>(5).fill(4096), 10, 64, 200, 5000, 70_000];
    const inputs = lengths.map((length) => randomBytes(rng, length));
    expect(hashHex(hasher, inputs)).toEqual(inputs.map(referenceHex));
  });

  it('hashes 4 MiB inputs, four equal and unequal leftovers', async () => {
    const hasher = await create();
    const rng = splitmix32(4);
    const lengths = [4 * MiB, 4 * MiB, 4 * MiB, 4 * MiB, 4 * MiB + 1, 4 * MiB - 1, 3 * MiB];
    const inputs = lengths.map((length) => randomBytes(rng, length));
    expect(hashHex(hasher, inputs)).toEqual(inputs.map(referenceHex));
  });

  it('reads overlapping rows at odd offsets of a SharedArrayBuffer and writes only the digest areas', async () => {
    const hasher = await create();
    const rng = splitmix32(99);
    const shared = fillRandom(rng, new Uint8Array(new SharedArrayBuffer(300_000 + 32 * 9 + 7)));
    const spans: Array<[number, number]> = [
      [1, 1000],
      [1003, 1000],
      [2005, 1000],
      [3007, 1000], // four equal lengths at odd offsets
      [5, 64 * 1024 + 3], // overlapping rows are fine: sources are only read
      [9, 55],
      [4011, 120],
      [4133, 0],
      [70_001, 200_001],
    ];
    const digestsAt = 300_003;
    const table = hashJobTable(spans.length);
    spans.forEach(([offset, length], i) => setHashJob(table, i, offset, length, digestsAt + 32 * i));
    const before = shared.slice();
    hasher.hash(shared, table, spans.length);
    const digests = spans.map((_, i) => hex(shared.subarray(digestsAt + 32 * i, digestsAt + 32 * (i + 1))));
    expect(digests).toEqual(spans.map(([offset, length]) => referenceHex(before.slice(offset, offset + length))));
    // Nothing outside the digest areas changed.
    expect(Buffer.from(shared.subarray(0, digestsAt)).equals(Buffer.from(before.subarray(0, digestsAt)))).toBe(true);
    expect(shared.subarray(digestsAt + 32 * spans.length)).toEqual(before.subarray(digestsAt + 32 * spans.length));
  });

  it('hashes only the first `count` rows of a larger table', async () => {
    const hasher = await create();
    const buffer = new Uint8Array(3 + 64).fill(0xee);
    buffer.set([1, 2, 3]);
    const table = hashJobTable(2);
    setHashJob(table, 0, 0, 3, 3);
    setHashJob(table, 1, 0, 3, 35);
    hasher.hash(buffer, table, 1);
    expect(hex(buffer.subarray(3, 35))).toBe(referenceHex(new Uint8Array([1, 2, 3])));
    expect([...buffer.subarray(35)]).toEqual(Array<number>(32).fill(0xee));
  });

  it('accepts an empty batch', async () => {
    const hasher = await create();
    expect(() => hasher.hash(new Uint8Array(0), hashJobTable(0), 0)).not.toThrow();
  });

  it('rejects a row outside the buffer, naming it, before writing anything', async () => {
    const hasher = await create();
    const buffer = new Uint8Array(100);
    const table = hashJobTable(2);
    setHashJob(table, 0, 0, 10, 40);
    setHashJob(table, 1, 0, 10, 80); // digest would end at 112
    expect(() => hasher.hash(buffer, table, 2)).toThrow(/job 1/);
    expect(buffer.every((b) => b === 0)).toBe(true);
    expect(() => hasher.hash(buffer, table, 3)).toThrow(RangeError);
  });
});
