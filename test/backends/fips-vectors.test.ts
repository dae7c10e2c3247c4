import { describe, expect, it } from 'vitest';
import { BACKENDS, hashHex } from './backends.js';

// FIPS 180-4 / NIST CSRC example messages and their SHA-256 digests.
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const VECTORS: ReadonlyArray<{ name: string; input: Uint8Array; digest: string }> = [
  { name: '"abc"', input: text('abc'), digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { name: 'empty', input: new Uint8Array(0), digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  {
    name: '448-bit',
    input: text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  {
    name: '896-bit',
    input: text(
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    ),
    digest: 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  },
  {
    name: 'one million "a"',
    input: new Uint8Array(1_000_000).fill(0x61),
    digest: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  },
];

describe.each(BACKENDS)('FIPS 180-4 vectors: $name', ({ create }) => {
  it.each(VECTORS)('hashes $name alone', async ({ input, digest }) => {
    expect(hashHex(await create(), [input])).toEqual([digest]);
  });

  it.each(VECTORS)('hashes $name four at a time (all lanes)', async ({ input, digest }) => {
    expect(hashHex(await create(), [input, input, input, input])).toEqual([digest, digest, digest, digest]);
  });

  it('hashes all five vectors in one batch, twice over', async () => {
    const inputs = [...VECTORS, ...VECTORS].map((v) => v.input);
    expect(hashHex(await create(), inputs)).toEqual([...VECTORS, ...VECTORS].map((v) => v.digest));
  });
});
