// A size of 2^53 or more is a claim over any limit, like any other too-large
// size: FrameTooLargeError (exit 6, as docs/FORMAT.md's table says), not a
// FormatError for a number JavaScript cannot hold.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FrameTooLargeError, inspect, pack, verify } from '../../dist/index.js';
import { runCli, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-claims-');
afterAll(() => tmp.cleanup());

/** Avro zig-zag varint of a non-negative number of any size. */
function varint(value: bigint): Buffer {
  let n = value * 2n;
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n % 0x80n) | 0x80);
    n /= 0x80n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}

describe('claims of 2^53 bytes and more', () => {
  it.each([2n ** 53n, 2n ** 62n])('a block claiming %s bytes: FrameTooLargeError from every reader, exit 6', async (claim) => {
    const good = tmp.path('good.hvs');
    await pack(Uint8Array.of(1, 2, 3), good);
    const { headerBytes } = await inspect(good);
    const header = readFileSync(good).subarray(0, headerBytes);
    const path = tmp.path(`claim-${claim}.hvs`);
    writeFileSync(path, Buffer.concat([header, varint(1n), varint(claim), Buffer.alloc(64)]));
    await expect(verify(path)).rejects.toBeInstanceOf(FrameTooLargeError);
    await expect(inspect(path)).rejects.toBeInstanceOf(FrameTooLargeError);
    const r = await runCli(['verify', path]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^hivestream: block claims \d+ bytes, over the limit/);
  });

  it('a header field claiming 2^53 bytes: FrameTooLargeError', async () => {
    const path = tmp.path('header-claim.hvs');
    writeFileSync(path, Buffer.concat([Buffer.from('Obj\x01', 'latin1'), varint(1n), varint(2n ** 53n), Buffer.alloc(32)]));
    await expect(verify(path)).rejects.toBeInstanceOf(FrameTooLargeError);
    expect((await runCli(['verify', path])).code).toBe(6);
  });
});
