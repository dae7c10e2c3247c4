import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../dist/errors.js';
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

  it('reads inputs and writes outputs that are views over SharedArrayBuffers at odd offsets', async () => {
    const hasher = await create();
    const rng = splitmix32(99);
    const shared = fillRandom(rng, new Uint8Array(new SharedArrayBuffer(300_000)));
    const before = shared.slice();
    const spans: Array<[number, number]> = [
      [1, 1000],
      [1003, 1000],
      [2005, 1000],
      [3007, 1000], // four equal lengths at odd offsets
      [5, 64 * 1024 + 3], // overlapping views are fine: inputs are only read
      [9, 55],
      [4011, 120],
      [4133, 0],
      [70_001, 200_001],
    ];
    const inputs = spans.map(([offset, length]) => new Uint8Array(shared.buffer, offset, length));
    const sink = new Uint8Array(new SharedArrayBuffer(32 * spans.length + 7));
    const outputs = spans.map((_, i) => new Uint8Array(sink.buffer, 3 + 32 * i, 32));
    hasher.hashMany(inputs, outputs);
    expect(outputs.map(hex)).toEqual(inputs.map((input) => referenceHex(input.slice())));
    expect(Buffer.from(shared.buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it('writes only the first 32 bytes of a larger output', async () => {
    const hasher = await create();
    const outputs = [new Uint8Array(40).fill(0xee)];
    hasher.hashMany([new Uint8Array([1, 2, 3])], outputs);
    expect(hex(outputs[0]?.subarray(0, 32) ?? new Uint8Array())).toBe(referenceHex(new Uint8Array([1, 2, 3])));
    expect([...(outputs[0]?.subarray(32) ?? [])]).toEqual(Array<number>(8).fill(0xee));
  });

  it('accepts an empty batch', async () => {
    const hasher = await create();
    expect(() => hasher.hashMany([], [])).not.toThrow();
  });

  it('rejects a batch whose outputs do not match its inputs', async () => {
    const hasher = await create();
    const input = new Uint8Array(10);
    expect(() => hasher.hashMany([input, input], [new Uint8Array(32)])).toThrow(ValidationError);
    expect(() => hasher.hashMany([input], [new Uint8Array(31)])).toThrow(/at least 32 bytes/);
  });
});
