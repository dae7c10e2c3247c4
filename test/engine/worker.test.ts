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
  const text = sample('text', 3 * CHUNK, 5);
  const random = sample('random', CHUNK, 6);

  it('pack: hashes each slot in place, stores LZ4 only where it shrinks', async () => {
    const ring = new Ring({ slots: 4, inputBytes: CHUNK, outputBytes: lz4Bound(CHUNK) });
    const ctx = await initWorker({ sab: ring.sab, layout: ring.layout, backends });
    const chunks = [text.subarray(0, CHUNK), random, text.subarray(CHUNK, CHUNK + 100)];
    chunks.forEach((c, slot) => {
      ring.input(slot, c.length).set(c);
      ring.set(slot, 'length', c.length);
      ring.set(slot, 'readAt', -1);
    });
    expect(pack(ctx, { op: 'pack', slots: [0, 1, 2], fd: -1, lz4: true })).toBeNull();
    chunks.forEach((c, slot) => expect(hex(ring.area(slot, 'digest'))).toBe(sha(c)));
    expect(ring.get(0, 'codec')).toBe(CODEC_LZ4);
    expect(ring.get(0, 'stored')).toBeLessThan(CHUNK);
    expect(ring.get(1, 'codec')).toBe(CODEC_NONE);
    expect(ring.get(1, 'stored')).toBe(CHUNK);
  });

  it('pack: reads file chunks itself, and says when the file ended early', async () => {
    const path = tmp.path(`in-${backends.hash}.bin`);
    writeFileSync(path, text);
    const fd = openSync(path, 'r');
    try {
      const ring = new Ring({ slots: 4, inputBytes: CHUNK, outputBytes: 0 });
      const ctx = await initWorker({ sab: ring.sab, layout: ring.layout, backends });
      for (let slot = 0; slot < 3; slot++) {
        ring.set(slot, 'readAt', slot * CHUNK);
        ring.set(slot, 'length', CHUNK);
      }
      expect(pack(ctx, { op: 'pack', slots: [0, 1, 2], fd, lz4: false })).toBeNull();
      for (let slot = 0; slot < 3; slot++) expect(hex(ring.area(slot, 'digest'))).toBe(sha(text.subarray(slot * CHUNK, (slot + 1) * CHUNK)));
      ring.set(3, 'readAt', 3 * CHUNK - 10);
      ring.set(3, 'length', CHUNK);
      expect(pack(ctx, { op: 'pack', slots: [3], fd, lz4: false })).toMatchObject({ kind: 'input-changed' });
    } finally {
      closeSync(fd);
    }
  });

  it('unpack: decodes, verifies and places each block; names a corrupt chunk', async () => {
    const container = forge(chunksOf(text.subarray(0, 2 * CHUNK + 7), CHUNK), { chunkSize: CHUNK });
    const header = parseHeader(container, true, { maxChunkSize: CHUNK, maxHeaderBytes: 1 << 20 });
    if ('needMore' in header) throw new Error('header');
    const ring = new Ring({ slots: 3, inputBytes: CHUNK + 1024, outputBytes: CHUNK });
    const ctx = await initWorker({ sab: ring.sab, layout: ring.layout, backends });
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
    blocks.forEach(([at, length], slot) => {
      ring.input(slot, length).set(container.subarray(at, at + length));
      ring.set(slot, 'sequence', slot);
      ring.set(slot, 'blockLength', length);
      ring.set(slot, 'blockOffset', at);
      ring.set(slot, 'readAt', -1);
    });
    const task = { op: 'unpack' as const, slots: [0, 1, 2], fd: -1, chunkSize: CHUNK, sync: header.sync };
    expect(unpack(ctx, task)).toBeNull();
    for (let slot = 0; slot < 3; slot++) {
      const length = ring.get(slot, 'length');
      const start = ring.get(slot, 'dataStart');
      expect(Buffer.from(ring.bytes.subarray(start, start + length)).equals(text.subarray(slot * CHUNK, slot * CHUNK + length))).toBe(true);
      expect(ring.get(slot, 'final')).toBe(slot === 2 ? 1 : 0);
    }
    expect(ring.get(2, 'hasHeaderDigest')).toBe(1);
    expect(hex(ring.area(2, 'headerDigest'))).toBe(header.digestHex);
    // One byte of chunk 1's data flipped.
    const [at1, length1] = blocks[1] ?? [0, 0];
    ring.input(1, length1).set(container.subarray(at1, at1 + length1));
    const dataByte = ring.inputAt(1) + length1 - SYNC_SIZE - 100;
    ring.bytes[dataByte] = (ring.bytes[dataByte] ?? 0) ^ 1;
    expect(unpack(ctx, { ...task, slots: [1] })).toMatchObject({ kind: 'checksum', sequence: 1, streamOffset: CHUNK });
  });
});
