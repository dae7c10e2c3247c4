// Stream interfaces: Node Duplex factories (backpressure, highWaterMark,
// destroy), Web Streams adapters, and readChunks, the per-chunk reader.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WritableStream } from 'node:stream/web';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  ChecksumMismatchError,
  ValidationError,
  createPackStream,
  createUnpackStream,
  fromWebWritable,
  pack,
  packTransformStream,
  readChunks,
  toWebReadable,
  unpack,
  unpackTransformStream,
  type ChunkEvent,
} from '../../dist/index.js';
import { pieces, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-ml-streams-');
afterAll(() => tmp.cleanup());
const data = sample('mixed', 2 * 1024 * 1024 + 777, 21);
const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function collector(): { sink: Writable; bytes(): Buffer } {
  const parts: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _e, cb) {
        parts.push(chunk);
        cb();
      },
    }),
    bytes: () => Buffer.concat(parts),
  };
}

describe('Node stream factories', () => {
  it('pipeline(source, createPackStream, createUnpackStream, sink) restores the bytes; reports settle', async () => {
    const packer = createPackStream({ chunkSize: '64KiB', compression: 'lz4', workers: 2 });
    const unpacker = createUnpackStream({ workers: 2 });
    const out = collector();
    await pipeline(Readable.from(pieces(data), { objectMode: false }), packer, unpacker, out.sink);
    expect(digest(out.bytes())).toBe(digest(data));
    const [p, u] = await Promise.all([packer.report, unpacker.report]);
    expect(p.bytes).toBe(data.length);
    expect(u.rootDigest).toBe(p.rootDigest);
  });

  it('honours backpressure: with nobody reading, writes stop at the ring plus the highWaterMarks', async () => {
    const hwm = 64 * 1024;
    const packer = createPackStream({ chunkSize: '64KiB', workers: 2, ringSlots: 8, highWaterMark: hwm });
    let accepted = 0;
    let blocked = false;
    const writer = (async () => {
      for (let at = 0; at < data.length; at += 16384) {
        const piece = data.subarray(at, at + 16384);
        accepted += piece.length;
        if (!packer.write(piece)) {
          blocked = true;
          await new Promise((r) => packer.once('drain', r));
        }
      }
      packer.end();
    })();
    await new Promise((r) => setTimeout(r, 400));
    expect(blocked).toBe(true);
    // Ring: 8 slots x 64 KiB; plus both sides' buffers and a chunk in hand.
    expect(accepted).toBeLessThan(8 * 65536 + 4 * hwm + 65536);
    expect(packer.readableLength).toBeLessThanOrEqual(2 * hwm);
    let maxBuffered = 0;
    const out: Buffer[] = [];
    for await (const chunk of packer) {
      out.push(chunk as Buffer);
      maxBuffered = Math.max(maxBuffered, packer.readableLength);
    }
    await writer;
    expect(maxBuffered).toBeLessThanOrEqual(2 * hwm);
    const back = collector();
    await unpack([Buffer.concat(out)], back.sink, { workers: 2 });
    expect(digest(back.bytes())).toBe(digest(data));
  });

  it('destroying the stream mid-way aborts the run; its report rejects with AbortError', async () => {
    const packer = createPackStream({ workers: 1 });
    const errors: unknown[] = [];
    packer.on('error', (e) => errors.push(e));
    packer.write(data.subarray(0, 100_000));
    packer.destroy();
    await expect(packer.report).rejects.toThrow(AbortError);
  });

  it('a corrupt container fails the unpack stream with the typed error', async () => {
    const container = tmp.path('c.hvs');
    await pack(data, container, { chunkSize: '64KiB', workers: 1 });
    const bad = Buffer.from(readFileSync(container));
    const mid = Math.floor(bad.length / 2);
    bad.writeUInt8(bad.readUInt8(mid) ^ 1, mid);
    const out = collector();
    await expect(pipeline(Readable.from([bad]), createUnpackStream({ workers: 1 }), out.sink)).rejects.toThrow(ChecksumMismatchError);
  });
});

describe('Web Streams adapters', () => {
  it('toWebReadable -> packTransformStream -> unpackTransformStream restores the bytes', async () => {
    const readable = toWebReadable(pieces(data)).pipeThrough(packTransformStream({ chunkSize: '64KiB', workers: 2 })).pipeThrough(unpackTransformStream({ workers: 2 }));
    const parts: Uint8Array[] = [];
    for await (const c of readable) parts.push(c);
    expect(digest(Buffer.concat(parts))).toBe(digest(data));
  });

  it('toWebReadable pulls lazily; fromWebWritable makes a WritableStream a sink', async () => {
    let pulled = 0;
    const gen = function* (): Generator<number> {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        yield i;
      }
    };
    const reader = toWebReadable(gen()).getReader();
    await reader.read();
    await reader.read();
    expect(pulled).toBeLessThanOrEqual(3);
    await reader.cancel();

    const parts: Uint8Array[] = [];
    const ws = new WritableStream<Uint8Array>({
      write(c) {
        parts.push(c);
      },
    });
    await pack(data, fromWebWritable(ws), { chunkSize: '64KiB', workers: 1 });
    const out = collector();
    await unpack([Buffer.concat(parts)], out.sink, { workers: 1 });
    expect(digest(out.bytes())).toBe(digest(data));
  });

  it('an abort signal errors the ReadableStream', async () => {
    const ctl = new AbortController();
    const rs = toWebReadable([1, 2, 3], { signal: ctl.signal });
    ctl.abort();
    await expect(rs.getReader().read()).rejects.toThrow(AbortError);
  });
});

describe('readChunks', () => {
  it('header first, then every chunk in order with its sequence and offset; early exit frees the run', async () => {
    const container = tmp.path('rc.hvs');
    await pack(data, container, { chunkSize: '64KiB', workers: 1, contentType: 'example/1', contentMeta: '{"k":1}' });
    const events: ChunkEvent[] = [];
    const it = readChunks(container, { workers: 2 });
    const parts: Buffer[] = [];
    let step = await it.next();
    while (step.done !== true) {
      events.push(step.value);
      if (step.value.kind === 'chunk') parts.push(Buffer.from(step.value.bytes));
      step = await it.next();
    }
    expect(step.value.verified).toBe(true);
    const first = events[0];
    expect(first?.kind === 'header' && [first.header.contentType, first.header.contentMeta]).toEqual(['example/1', '{"k":1}']);
    const chunks = events.filter((e) => e.kind === 'chunk');
    expect(chunks.map((e) => e.sequence)).toEqual([...Array(chunks.length).keys()]);
    expect(chunks.map((e) => e.offset)).toEqual(chunks.map((e) => e.sequence * 65536));
    expect(digest(Buffer.concat(parts))).toBe(digest(data));
    let n = 0;
    for await (const e of readChunks(container, { workers: 2 })) if (e.kind === 'chunk' && ++n === 2) break;
    expect(n).toBe(2);
  });

  it('content keys are validated when packing', async () => {
    await expect(pack(data, tmp.path('bad-ct.hvs'), { contentType: 'Not a type' })).rejects.toThrow(ValidationError);
    await expect(pack(data, tmp.path('bad-cm.hvs'), { contentType: 'x/1', contentMeta: 'x'.repeat(70_000) })).rejects.toThrow('invalid contentMeta: 70000 bytes, over the limit of 65536');
  });
});
