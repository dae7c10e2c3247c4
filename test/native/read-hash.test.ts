import { createHash } from 'node:crypto';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { addon, jobs, native, skipNote } from './addon.js';
import { fillRandom, prng } from '../helpers/prng.js';
import { tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-readhash-');
const data = fillRandom(new Uint8Array(3 * 1024 * 1024 + 333), prng(99));
writeFileSync(tmp.path('f.bin'), data);
const fd = openSync(tmp.path('f.bin'), 'r');
afterAll(() => {
  closeSync(fd);
  tmp.cleanup();
});

const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe.skipIf(addon === undefined)(`readSha256Batch${skipNote}`, () => {
  it('reads chunks into the buffer and hashes them, pairs and singles, across piece boundaries', () => {
    // Lengths: equal pairs (2-lane), an odd one out, sizes around the 64 KiB piece and block edges.
    const lengths = [1 << 20, 1 << 20, 65536 + 55, 65536 + 55, 200_001, 0, 64, 119];
    const positions = [0, 1 << 20, 17, 300_000, 2 << 20, 5, 3 << 20, 3 * 1024 * 1024 + 200];
    const buf = new Uint8Array(new SharedArrayBuffer(8 << 20));
    let at = 0;
    const rows = lengths.map((len, i) => {
      const row = [at, len, (7 << 20) + i * 32];
      at += len + 7; // odd offsets on purpose
      return row;
    });
    const results = new Int32Array(lengths.length);
    native().readSha256Batch(fd, buf, jobs(rows), new Float64Array(positions), results);
    expect([...results]).toEqual(lengths);
    rows.forEach(([src = 0, len = 0, dst = 0], i) => {
      const pos = positions[i] ?? 0;
      expect(hex(buf.subarray(src, src + len))).toBe(hex(data.subarray(pos, pos + len)));
      expect(hex(buf.subarray(dst, dst + 32))).toBe(digest(data.subarray(pos, pos + len)));
    });
  });

  it('reports a short read (the file ended) with the bytes read and no digest, and errors as -errno', () => {
    const buf = new Uint8Array(1 << 21);
    const results = new Int32Array(2);
    const end = data.length;
    native().readSha256Batch(fd, buf, jobs([[0, 4096, 1 << 20], [8192, 4096, (1 << 20) + 32]]), new Float64Array([end - 100, 0]), results);
    expect(results[0]).toBe(100);
    expect(results[1]).toBe(4096);
    const bad = new Int32Array(1);
    native().readSha256Batch(999_999, buf, jobs([[0, 10, 100]]), new Float64Array([0]), bad);
    expect(bad[0]).toBe(-9); // EBADF
  });

  it('checks ranges before reading anything', () => {
    const buf = new Uint8Array(1000);
    const r = new Int32Array(1);
    expect(() => native().readSha256Batch(fd, buf, jobs([[900, 200, 0]]), new Float64Array([0]), r)).toThrow(RangeError);
    expect(() => native().readSha256Batch(fd, buf, jobs([[0, 100, 50]]), new Float64Array([0]), r)).toThrow(/overlap/);
    expect(() => native().readSha256Batch(fd, buf, jobs([[0, 10, 100]]), new Float64Array([-1]), r)).toThrow(/position/);
    expect(() => native().readSha256Batch(fd, buf, jobs([[0, 10, 100]]), new Float64Array(0), r)).toThrow(RangeError);
  });
});
