import { describe, expect, it } from 'vitest';
import type { NativeBuffer } from '../../dist/engine/backends/native.js';
import { addon, jobs, native, skipNote } from './addon.js';

const lz4Available = addon?.features().lz4.available === true;

/** Calls with argument types the TypeScript interface forbids, as plain JS callers could. */
function loose<T>(value: unknown): T {
  return value as T;
}

describe.skipIf(addon === undefined)(`native addon argument checks${skipNote}`, () => {
  it('throws a RangeError naming the job for a range outside the buffer, and writes nothing', () => {
    const sab = new SharedArrayBuffer(1000);
    const bytes = new Uint8Array(sab);
    const rows = [
      [0, 100, 900],
      [100, 100, 932],
      [990, 11, 964], // source ends at 1001
    ];
    expect(() => native().sha256Batch(sab, jobs(rows))).toThrow(RangeError);
    expect(() => native().sha256Batch(sab, jobs(rows))).toThrow(/job 2: source \[990, 1001\) is outside the buffer \(1000 bytes\)/);
    expect(bytes.subarray(900).every((b) => b === 0)).toBe(true);
    expect(() => native().sha256Batch(sab, jobs([[0, 10, 969]]))).toThrow(/job 0: destination \[969, 1001\)/);
    expect(() => native().sha256Batch(sab, jobs([[0, 10, 968]]))).not.toThrow();
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['above 2^53', 2 ** 60],
    ['huge', 1e300],
  ])('rejects a %s offset with a RangeError', (_what, offset) => {
    const buf = new ArrayBuffer(64);
    expect(() => native().sha256Batch(buf, jobs([[offset, 1, 0]]))).toThrow(RangeError);
    expect(() => native().sha256Batch(buf, jobs([[0, offset, 0]]))).toThrow(RangeError);
    expect(() => native().sha256Batch(buf, jobs([[0, 1, offset]]))).toThrow(RangeError);
  });

  it('rejects a job table whose length is not a multiple of the job width', () => {
    expect(() => native().sha256Batch(new ArrayBuffer(64), new Float64Array(4))).toThrow(/not a multiple of 3/);
  });

  it('rejects wrong argument types with a TypeError', () => {
    const buf = new ArrayBuffer(64);
    expect(() => native().sha256Batch(loose<NativeBuffer>([1, 2, 3]), jobs([[0, 1, 0]]))).toThrow(TypeError);
    expect(() => native().sha256Batch(loose<NativeBuffer>(42), jobs([[0, 1, 0]]))).toThrow(TypeError);
    expect(() => native().sha256Batch(buf, loose<Float64Array>(new Float32Array(3)))).toThrow(/Float64Array/);
    expect(() => native().sha256Batch(buf, loose<Float64Array>([0, 1, 0]))).toThrow(TypeError);
    expect(() => loose<(b: NativeBuffer) => void>(native().sha256Batch)(buf)).toThrow(/expected 2 arguments/);
    expect(() => native().sha256(loose<NativeBuffer>('abc'))).toThrow(TypeError);
    expect(() => native().setSha256Impl(loose<'auto'>(1))).toThrow(TypeError);
  });

  it('treats a detached ArrayBuffer as empty', () => {
    const buf = new ArrayBuffer(64);
    structuredClone(buf, { transfer: [buf] });
    expect(() => native().sha256Batch(buf, jobs([[0, 1, 0]]))).toThrow(RangeError);
    expect(() => native().sha256Batch(buf, new Float64Array(0))).not.toThrow();
  });

  describe.skipIf(!lz4Available)('LZ4 batches', () => {
    it('rejects out-of-range jobs, short result arrays and overlapping ranges', () => {
      const sab = new SharedArrayBuffer(1000);
      const results = new Int32Array(2);
      expect(() => native().lz4CompressBatch(sab, jobs([[0, 100, 900, 101]]), results)).toThrow(
        /lz4CompressBatch: job 0: destination \[900, 1001\)/,
      );
      expect(() =>
        native().lz4DecompressBatch(
          sab,
          jobs([
            [0, 10, 100, 10],
            [1001, 0, 100, 10],
          ]),
          results,
        ),
      ).toThrow(/job 1: source/);
      expect(() => native().lz4CompressBatch(sab, jobs([[0, 1, 2, 3]]), new Int32Array(0))).toThrow(
        /results has 0 entries for 1 jobs/,
      );
      expect(() => native().lz4CompressBatch(sab, jobs([[0, 100, 50, 100]]), results)).toThrow(/overlap/);
      expect(() => native().lz4DecompressBatch(sab, jobs([[0, 100, 99, 1]]), results)).toThrow(RangeError);
      expect(() => native().lz4CompressBatch(sab, jobs([[0, 1, 2, 3]]), loose<Int32Array>(new Uint32Array(1)))).toThrow(
        /Int32Array/,
      );
    });
  });
});
