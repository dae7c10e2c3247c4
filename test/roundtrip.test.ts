import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { pack, unpack, verify, inspect } from '../dist/index.js';
import { pieces, sample, tempDir } from './helpers/fixtures.js';

const CHUNK = 4096;
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function collect(): { sink: PassThrough; bytes(): Buffer } {
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (d: Buffer) => parts.push(d));
  return { sink, bytes: () => Buffer.concat(parts) };
}

const sizes = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 37 * CHUNK + 123];

describe.each(['none', 'lz4'] as const)('round trip with compression=%s', (compression) => {
  it.each(sizes)('files: %i bytes come back identical', async (size) => {
    const data = sample('mixed', size, size + 11);
    const input = tmp.path(`in-${compression}-${size}.bin`);
    const container = tmp.path(`c-${compression}-${size}.hvs`);
    const output = tmp.path(`out-${compression}-${size}.bin`);
    writeFileSync(input, data);
    const p = await pack(input, container, { chunkSize: CHUNK, compression });
    expect(p.bytes).toBe(size);
    expect(p.chunks).toBe(Math.max(1, Math.ceil(size / CHUNK)));
    expect(p.rootDigest).toMatch(/^[0-9a-f]{64}$/);
    const v = await verify(container);
    expect(v.rootDigest).toBe(p.rootDigest);
    expect(v.bytes).toBe(size);
    const u = await unpack(container, output);
    expect(u.chunks).toBe(p.chunks);
    expect(readFileSync(output).equals(data)).toBe(true);
  });

  it.each(sizes)('streams: %i bytes through an async iterable and Writables', async (size) => {
    const data = sample('text', size, size + 5);
    const packed = collect();
    const p = await pack(pieces(data), packed.sink, { chunkSize: CHUNK, compression });
    expect(p.bytes).toBe(size);
    const restored = collect();
    const u = await unpack(Readable.from(pieces(packed.bytes())), restored.sink);
    expect(u.rootDigest).toBe(p.rootDigest);
    expect(restored.bytes().equals(data)).toBe(true);
  });
});

describe('containers', () => {
  it('have the same root digest whether the input came from a file or a stream', async () => {
    const data = sample('mixed', 20 * CHUNK + 7, 99);
    const input = tmp.path('same.bin');
    writeFileSync(input, data);
    const a = await pack(input, tmp.path('same-a.hvs'), { chunkSize: CHUNK, compression: 'lz4' });
    const b = await pack(Readable.from([data]), tmp.path('same-b.hvs'), { chunkSize: CHUNK, compression: 'lz4' });
    expect(a.rootDigest).toBe(b.rootDigest);
    // The root digest is SHA-256 over the chunk digests, in order.
    const chunkDigests = [];
    for (let off = 0; off < data.length; off += CHUNK) chunkDigests.push(createHash('sha256').update(data.subarray(off, off + CHUNK)).digest());
    expect(createHash('sha256').update(Buffer.concat(chunkDigests)).digest('hex')).toBe(a.rootDigest);
  });

  it('LZ4 shrinks text and stores incompressible chunks raw', async () => {
    const text = sample('text', 64 * CHUNK, 1);
    const random = sample('random', 64 * CHUNK, 1);
    const t = await pack(Readable.from([text]), collect().sink, { chunkSize: CHUNK, compression: 'lz4' });
    const r = await pack(Readable.from([random]), collect().sink, { chunkSize: CHUNK, compression: 'lz4' });
    expect(t.compressedChunks).toBe(64);
    expect(t.storedBytes).toBeLessThan(text.length * 0.6);
    expect(r.compressedChunks).toBe(0);
    expect(r.storedBytes).toBeGreaterThan(random.length);
  });

  it('inspect reports header, counts and root without verifying', async () => {
    const data = sample('mixed', 10 * CHUNK + 5, 4);
    const input = tmp.path('inspect.bin');
    writeFileSync(input, data);
    const container = tmp.path('inspect.hvs');
    const p = await pack(input, container, { chunkSize: CHUNK, compression: 'lz4' });
    const i = await inspect(container);
    expect(i).toMatchObject({ chunks: 11, bytes: data.length, chunkSize: CHUNK, complete: true, rootDigest: p.rootDigest, source: 'inspect.bin', streamId: p.streamId });
    expect(i.storedBytes).toBe(p.storedBytes);
    expect(i.metadata['hivestream.format']).toBe('1');
  });

  it('leaves no temporary files next to a finished output', async () => {
    const dir = tempDir('hvs-clean-');
    try {
      writeFileSync(dir.path('a.bin'), sample('text', 3 * CHUNK, 2));
      await pack(dir.path('a.bin'), dir.path('a.hvs'), { chunkSize: CHUNK });
      await unpack(dir.path('a.hvs'), dir.path('b.bin'));
      expect(readdirSync(dir.dir).sort()).toEqual(['a.bin', 'a.hvs', 'b.bin']);
      expect(existsSync(dir.path('b.bin'))).toBe(true);
    } finally {
      dir.cleanup();
    }
  });
});
