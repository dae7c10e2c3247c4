// Worker tasks run on the main thread, through the same init() the worker
// entry uses: what a task reads, computes and writes into the slots.
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Ring } from '../../dist/engine/main/ring.js';
import { initWorker } from '../../dist/engine/worker/context.js';
import { pack } from '../../dist/engine/worker/pack.js';
import { unpack } from '../../dist/engine/worker/unpack.js';
import { lz4Bound } from '../../dist/engine/contract/slots.js';
import { CODEC_LZ4, CODEC_NONE, SYNC_SIZE } from '../../dist/format/constants.js';
import { parseHeader } from '../../dist/format/header.js';
import { readLong } from '../../dist/format/varint.js';
import { chunksOf, forge } from '../helpers/forge.js';
import { sample, tempDir } from '../helpers/fixtures.js';

const CHUNK = 64 << 10;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.each([
  { hash: 'native', lz4: 'native' },
  { hash: 'node', lz4: 'lz4-napi' },
] as const)('worker tasks with $hash / $lz4', (backends) => {
  /** A ring with `n` slots of these sizes (placed apart, not in order) and a worker context over it. */
  async function setup(n: number, inputBytes: number, outputBytes: number) {
    const ring = new Ring({ controlSlots: 16, arenaBytes: 8 << 20 });
    // A small slot first, so the test's slots are not the first in the arena.
    ring.allocSlot(100, 0);
    const slots = Array.from({ length: n }, () => ring.allocSlot(inputBytes, outputBytes) ?? -1);
    const ctx = initWorker({ sab: ring.sab, layout: ring.layout });
    return { ring, ctx, kernels: await ctx.kernels(backends), slots };
  }

  const text = sample('text', 3 * CHUNK, 5);
  const random = sample('random', CHUNK, 6);

  it('pack: hashes each slot in place, stores LZ4 only where it shrinks', async () => {
    const { ring, ctx, kernels, slots } = await setup(3, CHUNK, lz4Bound(CHUNK));
    const chunks = [text.subarray(0, CHUNK), random, text.subarray(CHUNK, CHUNK + 100)];
    chunks.forEach((c, i) => {
      const slot = slots[i] ?? -1;
      ring.input(slot, c.length).set(c);
      ring.set(slot, 'length', c.length);
      ring.set(slot, 'readAt', -1);
    });
    expect(pack(ctx, kernels, { op: 'pack', slots, fd: -1, lz4: true })).toBeNull();
    chunks.forEach((c, i) => expect(hex(ring.area(slots[i] ?? -1, 'digest'))).toBe(sha(c)));
    const [s0, s1] = slots as [number, number, number];
    expect(ring.get(s0, 'codec')).toBe(CODEC_LZ4);
    expect(ring.get(s0, 'stored')).toBeLessThan(CHUNK);
    expect(ring.get(s1, 'codec')).toBe(CODEC_NONE);
    expect(ring.get(s1, 'stored')).toBe(CHUNK);
  });

  it('pack: reads file chunks itself, and says when the file ended early', async () => {
    const path = tmp.path(`in-${backends.hash}.bin`);
    writeFileSync(path, text);
    const fd = openSync(path, 'r');
    try {
      const { ring, ctx, kernels, slots } = await setup(4, CHUNK, 0);
      slots.forEach((slot, i) => {
        ring.set(slot, 'readAt', i * CHUNK - (i === 3 ? 10 : 0));
        ring.set(slot, 'length', CHUNK);
      });
      const first = slots.slice(0, 3);
      expect(pack(ctx, kernels, { op: 'pack', slots: first, fd, lz4: false })).toBeNull();
      first.forEach((slot, i) => expect(hex(ring.area(slot, 'digest'))).toBe(sha(text.subarray(i * CHUNK, (i + 1) * CHUNK))));
      expect(pack(ctx, kernels, { op: 'pack', slots: slots.slice(3), fd, lz4: false })).toMatchObject({ kind: 'input-changed' });
    } finally {
      closeSync(fd);
    }
  });

  it('unpack: decodes, verifies and places each block; names a corrupt chunk', async () => {
    const container = forge(chunksOf(text.subarray(0, 2 * CHUNK + 7), CHUNK), { chunkSize: CHUNK });
    const header = parseHeader(container, true, { maxChunkSize: CHUNK, maxHeaderBytes: 1 << 20 });
    if ('needMore' in header) throw new Error('header');
    const { ring, ctx, kernels, slots } = await setup(3, CHUNK + 1024, CHUNK);
    // Blocks follow the header: [count][size][record][sync].
    let pos = header.length;
    const blocks: Array<[number, number]> = [];
    for (let seq = 0; seq < 3; seq++) {
      const count = readLong(container, pos, container.length);
      const size = count.ok ? readLong(container, count.next, container.length) : count;
      if (!size.ok) throw new Error('block prefix');
      blocks.push([size.next, size.value + SYNC_SIZE]);
      pos = size.next + size.value + SYNC_SIZE;
    }
    blocks.forEach(([at, length], i) => {
      const slot = slots[i] ?? -1;
      ring.input(slot, length).set(container.subarray(at, at + length));
      ring.set(slot, 'sequence', i);
      ring.set(slot, 'blockLength', length);
      ring.set(slot, 'blockOffset', at);
      ring.set(slot, 'readAt', -1);
    });
    const task = { op: 'unpack' as const, slots, fd: -1, chunkSize: CHUNK, sync: header.sync };
    expect(unpack(ctx, kernels, task)).toBeNull();
    slots.forEach((slot, i) => {
      const length = ring.get(slot, 'length');
      const start = ring.get(slot, 'dataStart');
      expect(Buffer.from(ring.bytes.subarray(start, start + length)).equals(text.subarray(i * CHUNK, i * CHUNK + length))).toBe(true);
      expect(ring.get(slot, 'final')).toBe(i === 2 ? 1 : 0);
    });
    const [, s1, s2] = slots as [number, number, number];
    expect(ring.get(s2, 'hasHeaderDigest')).toBe(1);
    expect(hex(ring.area(s2, 'headerDigest'))).toBe(header.digestHex);
    // One byte of chunk 1's data flipped.
    const [at1, length1] = blocks[1] ?? [0, 0];
    ring.input(s1, length1).set(container.subarray(at1, at1 + length1));
    const dataByte = ring.inputAt(s1) + length1 - SYNC_SIZE - 100;
    ring.bytes[dataByte] = (ring.bytes[dataByte] ?? 0) ^ 1;
    expect(unpack(ctx, kernels, { ...task, slots: [s1] })).toMatchObject({ kind: 'checksum', sequence: 1, streamOffset: CHUNK });
  });
});
