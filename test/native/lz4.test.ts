import { compressSync, uncompressSync } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { Lz4DecompressCode } from '../../dist/engine/backends/native.js';
import { addon, jobs, native, skipNote } from './addon.js';
import { below, fillRandom, fillText, prng } from '../helpers/prng.js';

const lz4Available = addon?.features().lz4.available === true;

/** Compresses `data` natively in a SharedArrayBuffer; the framed block, or undefined if it did not fit. */
function nativeCompress(data: Uint8Array, capacity = data.length + (data.length >> 8) + 64): Buffer | undefined {
  const sab = new SharedArrayBuffer(data.length + capacity);
  new Uint8Array(sab).set(data);
  const results = new Int32Array(1);
  native().lz4CompressBatch(sab, jobs([[0, data.length, data.length, capacity]]), results);
  const written = results[0] ?? 0;
  return written === 0 ? undefined : Buffer.from(new Uint8Array(sab, data.length, written));
}

/** Decompresses a framed block natively: [result code or length, output bytes]. */
function nativeDecompress(framed: Uint8Array, capacity: number): [number, Buffer] {
  const sab = new SharedArrayBuffer(framed.length + capacity);
  new Uint8Array(sab).set(framed);
  const results = new Int32Array(1);
  native().lz4DecompressBatch(sab, jobs([[0, framed.length, framed.length, capacity]]), results);
  const n = results[0] ?? 0;
  return [n, Buffer.from(new Uint8Array(sab, framed.length, Math.max(n, 0)))];
}

const SIZES = [0, 1, 15, 100, 4096, 65536, 1024 * 1024];

function samples(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const size of SIZES) {
    out.push([`random ${size}`, fillRandom(new Uint8Array(size), prng(size + 1))]);
    out.push([`text ${size}`, fillText(new Uint8Array(size), prng(size + 2))]);
  }
  out.push(['zeros 100000', new Uint8Array(100_000)]);
  return out;
}

describe.skipIf(addon === undefined || !lz4Available)(`native LZ4 (liblz4 via dlopen)${skipNote}`, () => {
  it('reports the library version', () => {
    expect(native().features().lz4.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(samples())('native compress -> lz4-napi uncompressSync round-trips %s', (_name, data) => {
    const framed = nativeCompress(data);
    expect(framed).toBeDefined();
    if (framed === undefined) return;
    expect(framed.readUInt32LE(0)).toBe(data.length);
    expect(uncompressSync(framed).equals(data)).toBe(true);
  });

  it.each(samples())('lz4-napi compressSync -> native decompress round-trips %s', (_name, data) => {
    const framed = compressSync(Buffer.from(data));
    const [n, out] = nativeDecompress(framed, data.length);
    expect(n).toBe(data.length);
    expect(out.equals(data)).toBe(true);
  });

  it('compresses text well and many chunks per call, with independent results', () => {
    const chunk = 256 * 1024;
    const count = 8;
    const cap = chunk + 4096;
    const sab = new SharedArrayBuffer(count * chunk + count * cap + count * chunk);
    const bytes = new Uint8Array(sab);
    const next = prng(11);
    for (let i = 0; i < count; i++) {
      const part = bytes.subarray(i * chunk, (i + 1) * chunk);
      if (i % 2 === 0) fillText(part, next);
      else fillRandom(part, next);
    }
    const outBase = count * chunk;
    const compress = jobs(Array.from({ length: count }, (_, i) => [i * chunk, chunk, outBase + i * cap, cap]));
    const sizes = new Int32Array(count);
    native().lz4CompressBatch(sab, compress, sizes);
    for (let i = 0; i < count; i++) {
      const size = sizes[i] ?? 0;
      if (i % 2 === 0) expect(size).toBeLessThan(chunk / 3);
      else expect(size).toBeGreaterThan(chunk);
    }
    const backBase = outBase + count * cap;
    const decompress = jobs(
      Array.from({ length: count }, (_, i) => [outBase + i * cap, sizes[i] ?? 0, backBase + i * chunk, chunk]),
    );
    const lengths = new Int32Array(count);
    native().lz4DecompressBatch(sab, decompress, lengths);
    expect(Array.from(lengths)).toEqual(new Array<number>(count).fill(chunk));
    expect(Buffer.from(bytes.subarray(backBase)).equals(bytes.subarray(0, count * chunk))).toBe(true);
  });

  it('returns 0 when the output does not fit dstCapacity', () => {
    const data = fillRandom(new Uint8Array(4096), prng(5));
    const exact = nativeCompress(data);
    expect(exact).toBeDefined();
    const need = exact?.length ?? 0;
    expect(nativeCompress(data, need)?.equals(exact ?? Buffer.alloc(0))).toBe(true);
    expect(nativeCompress(data, need - 1)).toBeUndefined();
    expect(nativeCompress(data, 4096)).toBeUndefined();
    expect(nativeCompress(data, 3)).toBeUndefined();
    expect(nativeCompress(new Uint8Array(0), 4)).toBeUndefined();
    expect(nativeCompress(new Uint8Array(0), 5)?.toString('hex')).toBe('0000000000');
  });

  it('refuses a size prefix over dstCapacity before writing anything (-1)', () => {
    const data = fillText(new Uint8Array(10_000), prng(6));
    const framed = compressSync(Buffer.from(data));
    const sab = new SharedArrayBuffer(framed.length + 9_999);
    const bytes = new Uint8Array(sab);
    bytes.set(framed);
    bytes.fill(0xee, framed.length);
    const results = new Int32Array(1);
    native().lz4DecompressBatch(sab, jobs([[0, framed.length, framed.length, 9_999]]), results);
    expect(results[0]).toBe(Lz4DecompressCode.SizeTooLarge);
    expect(bytes.subarray(framed.length).every((b) => b === 0xee)).toBe(true);

    const huge = Buffer.from(framed);
    huge.writeUInt32LE(0xffffffff, 0);
    expect(nativeDecompress(huge, 1 << 20)[0]).toBe(Lz4DecompressCode.SizeTooLarge);
  });

  it('reports a length other than the prefix (-3) and malformed blocks (-2)', () => {
    const data = fillText(new Uint8Array(10_000), prng(8));
    const framed = compressSync(Buffer.from(data));

    const longer = Buffer.from(framed);
    longer.writeUInt32LE(10_001, 0);
    expect(nativeDecompress(longer, 20_000)[0]).toBe(Lz4DecompressCode.LengthMismatch);
    const shorter = Buffer.from(framed);
    shorter.writeUInt32LE(9_999, 0);
    expect(nativeDecompress(shorter, 20_000)[0]).toBe(Lz4DecompressCode.LengthMismatch);

    expect(nativeDecompress(framed.subarray(0, framed.length - 5), 10_000)[0]).toBe(Lz4DecompressCode.Malformed);
    expect(nativeDecompress(framed.subarray(0, 3), 10_000)[0]).toBe(Lz4DecompressCode.Malformed);
    expect(nativeDecompress(Buffer.from([0, 0, 0, 0]), 10)[0]).toBe(Lz4DecompressCode.Malformed);
    const garbage = fillRandom(new Uint8Array(1000), prng(10));
    garbage.set([0x10, 0x27, 0, 0]); // claims 10000 bytes
    expect(nativeDecompress(garbage, 10_000)[0]).toBeLessThan(0);
  });

  it('survives corrupted blocks without writing outside dstCapacity', () => {
    const next = prng(12);
    const data = fillText(new Uint8Array(50_000), next);
    const framed = compressSync(Buffer.from(data));
    const guard = 64;
    const cap = data.length;
    const sab = new SharedArrayBuffer(framed.length + guard + cap + guard);
    const bytes = new Uint8Array(sab);
    const dst = framed.length + guard;
    const results = new Int32Array(1);
    const job = jobs([[0, framed.length, dst, cap]]);
    const seen = new Set<number>();
    for (let round = 0; round < 300; round++) {
      bytes.set(framed);
      bytes.fill(0xa5, framed.length);
      for (let flips = 1 + below(next, 4); flips > 0; flips--) {
        bytes[4 + below(next, framed.length - 4)] = next();
      }
      native().lz4DecompressBatch(sab, job, results);
      const r = results[0] ?? 0;
      seen.add(Math.sign(r));
      expect(r === cap || r === Lz4DecompressCode.Malformed || r === Lz4DecompressCode.LengthMismatch).toBe(true);
      expect(bytes.subarray(framed.length, dst).every((b) => b === 0xa5)).toBe(true);
      expect(bytes.subarray(dst + cap).every((b) => b === 0xa5)).toBe(true);
    }
    expect(seen.has(-1)).toBe(true);
  });
});
