import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  FormatError,
  FrameTooLargeError,
  HiveError,
  TruncatedStreamError,
  isBadInputError,
  pack,
  unpack,
  verify,
} from '../dist/index.js';
import { sample, tempDir } from './helpers/fixtures.js';

const CHUNK = 4096;
const tmp = tempDir('hvs-corrupt-');
let textContainer: Buffer;
let rawContainer: Buffer;

beforeAll(async () => {
  // Text: LZ4-compressed chunks (2 full + a short final one).
  writeFileSync(tmp.path('text.bin'), sample('text', 2 * CHUNK + 100, 8));
  await pack(tmp.path('text.bin'), tmp.path('text.hvs'), { chunkSize: CHUNK, compression: 'lz4', workers: 1 });
  textContainer = readFileSync(tmp.path('text.hvs'));
  // Random: raw chunks.
  writeFileSync(tmp.path('raw.bin'), sample('random', 2 * CHUNK + 10, 9));
  await pack(tmp.path('raw.bin'), tmp.path('raw.hvs'), { chunkSize: CHUNK, workers: 1 });
  rawContainer = readFileSync(tmp.path('raw.hvs'));
});
afterAll(() => tmp.cleanup());

async function verifyBytes(bytes: Buffer): Promise<unknown> {
  try {
    await verify([bytes], { workers: 1 });
    return undefined;
  } catch (err) {
    return err;
  }
}

function flipped(buf: Buffer, at: number, mask: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = (copy[at] ?? 0) ^ mask;
  return copy;
}

describe('a byte flipped anywhere', () => {
  it.each([0x01, 0xff])('in an LZ4 container, mask %i: verify fails naming where, or the bytes still restore exactly', async (mask) => {
    const original = readFileSync(tmp.path('text.bin'));
    const misses: string[] = [];
    let harmless = 0;
    for (let at = 0; at < textContainer.length; at++) {
      const bad = flipped(textContainer, at, mask);
      const err = await verifyBytes(bad);
      if (err === undefined) {
        // A flipped LZ4 match offset can point at identical bytes: the chunk
        // still decodes to content with the recorded digest. Prove it.
        const restored: Buffer[] = [];
        const sink = new PassThrough();
        sink.on('data', (d: Buffer) => restored.push(d));
        await unpack([bad], sink, { workers: 1 });
        if (!Buffer.concat(restored).equals(original)) misses.push(`${at}: silently wrong`);
        harmless++;
      } else if (!(err instanceof HiveError) || !isBadInputError(err) || !/byte offset \d+/.test(err.message)) {
        misses.push(`${at}: ${err instanceof Error ? err.message : "not an error"}`);
      }
    }
    expect(misses).toEqual([]);
    expect(harmless).toBeLessThan(textContainer.length / 500);
  }, 120_000);

  it('in a raw container (every byte outside the data, every 61st inside): verify fails', async () => {
    const misses: number[] = [];
    for (let at = 0; at < rawContainer.length; at++) {
      const err = await verifyBytes(flipped(rawContainer, at, 0x10));
      if (!(err instanceof HiveError) || !isBadInputError(err)) misses.push(at);
      // Skip through data regions faster: a data byte can only fail its digest.
      if (err instanceof ChecksumMismatchError && at % 61 !== 0) at += 60;
    }
    expect(misses).toEqual([]);
  }, 120_000);

  it('read from a file (workers read and hash raw data in one pass): every flip outside the data, every 61st inside, fails', async () => {
    const misses: number[] = [];
    const file = tmp.path('flip.hvs');
    for (let at = 0; at < rawContainer.length; at++) {
      writeFileSync(file, flipped(rawContainer, at, 0x20));
      const err = await verify(file, { workers: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(err instanceof HiveError) || !isBadInputError(err)) misses.push(at);
      if (err instanceof ChecksumMismatchError && at % 61 !== 0) at += 60;
    }
    expect(misses).toEqual([]);
  }, 120_000);

  it('in chunk data: the error is a checksum mismatch naming the chunk, its block offset and stream offset', async () => {
    // Last data byte of chunk 1 in the raw container: find it by its value in the original.
    const original = readFileSync(tmp.path('raw.bin'));
    const needle = original.subarray(CHUNK, CHUNK + 64);
    const at = rawContainer.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    const err = await verifyBytes(flipped(rawContainer, at + 10, 0x01));
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as ChecksumMismatchError).sequence).toBe(1);
    expect((err as Error).message).toMatch(/chunk 1 \(byte offset \d+, stream offset 4096\)/);
  });

  it('unpack fails and leaves no output file (nor a temporary one)', async () => {
    const dir = tempDir('hvs-unpack-fail-');
    try {
      for (const at of [textContainer.length - 40, Math.floor(textContainer.length / 2), 900]) {
        writeFileSync(dir.path('bad.hvs'), flipped(textContainer, at, 0x04));
        await expect(unpack(dir.path('bad.hvs'), dir.path('out.bin'), { workers: 1 })).rejects.toBeInstanceOf(HiveError);
        expect(existsSync(dir.path('out.bin'))).toBe(false);
        expect(readdirSync(dir.dir)).toEqual(['bad.hvs']);
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('a truncated container', () => {
  it('fails with TruncatedStreamError at every cut point', async () => {
    const wrong: string[] = [];
    for (let len = 4; len < textContainer.length; len += 7) {
      const err = await verifyBytes(textContainer.subarray(0, len));
      if (!(err instanceof TruncatedStreamError)) wrong.push(`${len}: ${err instanceof Error ? err.message : "no error"}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('cut exactly after a block: the final chunk is missing', async () => {
    // The last block ends with the sync marker; cut just before the final block starts.
    const sync = textContainer.subarray(textContainer.length - 16);
    const blocks: number[] = [];
    for (let i = textContainer.indexOf(sync); i >= 0; i = textContainer.indexOf(sync, i + 1)) blocks.push(i + 16);
    const cut = blocks[blocks.length - 2] ?? 0;
    const err = await verifyBytes(textContainer.subarray(0, cut));
    expect(err).toBeInstanceOf(TruncatedStreamError);
    expect((err as Error).message).toMatch(/final chunk is missing/);
  });
});

describe('limits are enforced before allocation', () => {
  function withBlockPrefix(claim: number): Buffer {
    // Replace the first block's prefix with one claiming `claim` bytes.
    const sync = textContainer.subarray(textContainer.length - 16);
    const headerEnd = textContainer.indexOf(sync) + 16;
    const prefix: number[] = [2]; // count 1, zig-zag
    let n = claim * 2;
    while (n >= 0x80) {
      prefix.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    prefix.push(n);
    return Buffer.concat([textContainer.subarray(0, headerEnd), Buffer.from(prefix), Buffer.alloc(64)]);
  }

  it('a block claiming 2^50 bytes is rejected with FrameTooLargeError naming chunk 0', async () => {
    const err = await verifyBytes(withBlockPrefix(2 ** 50));
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect((err as Error).message).toMatch(/block claims 1125899906842624 bytes, over the limit of \d+ \(chunk 0, byte offset \d+\)/);
  });

  it('a block just over the chunk-size bound is rejected', async () => {
    expect(await verifyBytes(withBlockPrefix(CHUNK + 100_000))).toBeInstanceOf(FrameTooLargeError);
  });

  it('a chunk size over maxChunkSize is rejected from the header', async () => {
    await expect(verify([textContainer], { maxChunkSize: 1024 })).rejects.toThrow(/chunk size in header .* claims 4096 bytes, over the limit of 1024/);
  });

  it('a header over maxHeaderBytes is rejected', async () => {
    await expect(verify([textContainer], { maxHeaderBytes: 200 })).rejects.toBeInstanceOf(FrameTooLargeError);
  });

  it('a header field claiming a huge length is rejected', async () => {
    // First metadata key length is at byte 5 (after magic and the map count).
    const bad = Buffer.concat([textContainer.subarray(0, 5), Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]), textContainer.subarray(6)]);
    const err = await verifyBytes(bad);
    expect(err).toBeInstanceOf(FrameTooLargeError);
  });
});

describe('not a container', () => {
  it('random bytes, an empty input, another Avro file', async () => {
    expect(await verifyBytes(Buffer.from('hello world, this is not avro'))).toBeInstanceOf(FormatError);
    expect(await verifyBytes(Buffer.alloc(0))).toBeInstanceOf(FormatError);
    const foreign = Buffer.from(textContainer.toString('latin1').replace('hivestream.format', 'hivestream.formaX'), 'latin1');
    const err = await verifyBytes(foreign);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/not a hivestream container/);
  });
});
