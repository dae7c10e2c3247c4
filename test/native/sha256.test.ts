import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { addon, jobs, native, skipNote } from './addon.js';
import { below, fillRandom, prng } from '../helpers/prng.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const reference = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

// FIPS 180-4 examples (NIST CSRC "Examples with intermediate values").
const FIPS_VECTORS: [string, string][] = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  ],
  [
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

// Lengths around the padding boundaries (55/56 bytes decide one or two final blocks).
const EDGE_LENGTHS = [
  0, 1, 2, 31, 32, 33, 55, 56, 57, 63, 64, 65, 111, 112, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192, 255, 256,
  257, 1000, 4095, 4096, 4097, 65535, 65536, 65537,
];

// Both the CPU-specific implementation (where usable) and the portable one.
const impls = addon?.features().sha256Impls ?? ['portable'];

afterAll(() => {
  addon?.setSha256Impl('auto');
});

describe.skipIf(addon === undefined)(`native SHA-256${skipNote}`, () => {
  it('picks the SHA-NI implementation on a CPU with SHA extensions', () => {
    const { cpu, sha256Impl, sha256Impls } = native().features();
    if (cpu.arch === 'x64' && cpu.sha && cpu.sse41 && cpu.ssse3) {
      expect(sha256Impl).toBe('sha-ni');
    }
    expect(sha256Impls).toContain('portable');
    expect(sha256Impls[0]).toBe(native().setSha256Impl('auto'));
  });

  it('refuses an implementation that is not usable here', () => {
    expect(() => native().setSha256Impl('bogus' as 'portable')).toThrow(/not usable/);
  });

  describe.each(impls.map((impl) => [impl]))('with the %s implementation', (impl) => {
    it('matches the FIPS 180-4 examples', () => {
      expect(native().setSha256Impl(impl)).toBe(impl);
      for (const [message, digest] of FIPS_VECTORS) {
        expect(hex(native().sha256(Buffer.from(message, 'latin1'))), `${message.slice(0, 20)}…`).toBe(digest);
      }
    });

    it('matches node:crypto on lengths around the padding edges', () => {
      native().setSha256Impl(impl);
      const data = fillRandom(new Uint8Array(70_000), prng(1));
      for (const length of EDGE_LENGTHS) {
        const slice = data.subarray(0, length);
        expect(hex(native().sha256(slice)), `length ${length}`).toBe(reference(slice));
      }
    });

    it('matches node:crypto on large inputs (5 MiB and 64 MiB + 7)', () => {
      native().setSha256Impl(impl);
      for (const size of [5 * 1024 * 1024, 64 * 1024 * 1024 + 7]) {
        const data = fillRandom(new Uint8Array(size), prng(size));
        expect(hex(native().sha256(data)), `size ${size}`).toBe(reference(data));
      }
    });

    it('hashes many random-length jobs in one batch over a SharedArrayBuffer', () => {
      native().setSha256Impl(impl);
      const next = prng(42);
      const dataSize = 4 * 1024 * 1024;
      const count = 500;
      const sab = new SharedArrayBuffer(dataSize + count * 32);
      const bytes = new Uint8Array(sab);
      fillRandom(bytes.subarray(0, dataSize), next);
      const rows: number[][] = [];
      for (let i = 0; i < count; i++) {
        // Mostly padding-edge lengths, some long ones, at random offsets.
        const length =
          i % 5 === 0 ? below(next, 200_000) : (EDGE_LENGTHS[below(next, EDGE_LENGTHS.length)] ?? 0) + below(next, 3);
        rows.push([below(next, dataSize - length), length, dataSize + i * 32]);
      }
      native().sha256Batch(sab, jobs(rows));
      rows.forEach(([src = 0, length = 0, dst = 0], i) => {
        expect(hex(bytes.subarray(dst, dst + 32)), `job ${i}`).toBe(reference(bytes.subarray(src, src + length)));
      });
    });

    it('hashes equal-length chunks (the ring case) and an odd count', () => {
      native().setSha256Impl(impl);
      const chunk = 4096;
      const count = 33;
      const sab = new SharedArrayBuffer(chunk * count + count * 32);
      const bytes = fillRandom(new Uint8Array(sab, 0, chunk * count), prng(7));
      const rows = Array.from({ length: count }, (_, i) => [i * chunk, chunk, chunk * count + i * 32]);
      native().sha256Batch(sab, jobs(rows));
      const digests = new Uint8Array(sab, chunk * count);
      for (let i = 0; i < count; i++) {
        expect(hex(digests.subarray(i * 32, i * 32 + 32))).toBe(reference(bytes.subarray(i * chunk, (i + 1) * chunk)));
      }
    });
  });

  it('runs jobs in order: a digest written into the next job’s source is what that job hashes', () => {
    const buf = new ArrayBuffer(256);
    const bytes = fillRandom(new Uint8Array(buf), prng(3));
    const expected = Uint8Array.from(bytes);
    // job 0 hashes [0,100) into [100,132); job 1 hashes [100,164) into [200,232).
    const d0 = createHash('sha256').update(expected.subarray(0, 100)).digest();
    expected.set(d0, 100);
    expected.set(createHash('sha256').update(expected.subarray(100, 164)).digest(), 200);
    native().sha256Batch(
      buf,
      jobs([
        [0, 100, 100],
        [100, 64, 200],
      ]),
    );
    expect(hex(bytes)).toBe(hex(expected));
  });

  it('accepts ArrayBuffer, typed array views (offsets relative to the view), DataView and Buffer', () => {
    const backing = fillRandom(new Uint8Array(1024), prng(9));
    const want = reference(backing.subarray(116, 116 + 300));
    const view = new Uint8Array(backing.buffer, 16, 900);
    native().sha256Batch(view, jobs([[100, 300, 500]]));
    expect(hex(backing.subarray(516, 548))).toBe(want);

    const words = new Uint32Array(backing.buffer, 0, 256);
    native().sha256Batch(words, jobs([[116, 300, 0]]));
    expect(hex(backing.subarray(0, 32))).toBe(want);

    const dv = new DataView(backing.buffer, 8);
    expect(() => native().sha256Batch(dv, jobs([[0, 1016, 0]]))).not.toThrow();
    expect(hex(native().sha256(Buffer.from('abc')))).toBe(FIPS_VECTORS[1]?.[1]);
    expect(hex(native().sha256(new TextEncoder().encode('abc').buffer))).toBe(FIPS_VECTORS[1]?.[1]);
  });

  it('an empty batch is a no-op', () => {
    expect(() => native().sha256Batch(new SharedArrayBuffer(0), new Float64Array(0))).not.toThrow();
  });
});
