// The chain rules (format/chain.ts) hold for every reader alike: each forged
// container below has valid chunk digests and breaks one rule, and unpack,
// verify, readChunks and inspect must all refuse it the same way.
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, FormatError, TruncatedStreamError, inspect, readChunks, unpack, verify } from '../../dist/index.js';
import { chunksOf, forge, type ForgedRecord, type ForgeOptions } from '../helpers/forge.js';
import { sample, tempDir } from '../helpers/fixtures.js';

const CHUNK = 4096;
const data = sample('text', 3 * CHUNK + 100, 11);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const READERS: Record<string, (path: string) => Promise<unknown>> = {
  unpack: (path) =>
    unpack(path, new Writable({ write: (_c: Buffer, _e, cb) => cb() }), { workers: 1 }),
  verify: (path) => verify(path, { workers: 1 }),
  readChunks: async (path) => {
    let events = 0;
    for await (const event of readChunks(path, { workers: 1 })) if (event.kind !== 'header') events++;
    return events;
  },
  inspect: (path) => inspect(path),
};

let n = 0;
function write(records: ForgedRecord[], o: Partial<ForgeOptions> = {}): string {
  const path = tmp.path(`forged-${n++}.hvs`);
  writeFileSync(path, forge(records, { chunkSize: CHUNK, ...o }));
  return path;
}

function records(): ForgedRecord[] {
  return chunksOf(data, CHUNK);
}

describe.each(Object.keys(READERS))('chain rules: %s', (reader) => {
  const read = (path: string): Promise<unknown> => (READERS[reader] ?? (() => Promise.reject(new Error('no reader'))))(path);

  it('accepts the well-formed container the forger builds', async () => {
    await expect(read(write(records()))).resolves.toBeDefined();
  });

  it('refuses an offset gap', async () => {
    const r = records();
    for (const rec of r.slice(1)) rec.offset += 1;
    await expect(read(write(r))).rejects.toMatchObject({ constructor: FormatError, field: 'offset', sequence: 1 });
  });

  it('refuses a short chunk that is not the final one', async () => {
    const r = records();
    const first = r[0];
    if (first === undefined) throw new Error('no records');
    first.data = first.data.subarray(0, CHUNK - 1);
    for (const rec of r.slice(1)) rec.offset -= 1;
    await expect(read(write(r))).rejects.toMatchObject({ constructor: FormatError, field: 'length', sequence: 0 });
  });

  it('refuses data after the final chunk', async () => {
    const r = records();
    for (const rec of r) rec.final = rec === r[1] || rec === r[r.length - 1];
    await expect(read(write(r))).rejects.toThrow(/data after the final chunk/);
  });

  it('refuses a root digest that is not the chain of chunk digests', async () => {
    const err = await read(write(records(), { root: () => new Uint8Array(32).fill(7) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(err).toMatchObject({ sequence: -1 });
  });

  it('refuses a final record whose header digest is not the header', async () => {
    await expect(read(write(records(), { headerDigestHex: () => 'ab'.repeat(32) }))).rejects.toMatchObject({ constructor: FormatError, field: 'header' });
  });

  it('refuses metadata on a record that is not the final one', async () => {
    const r = records();
    const first = r[0];
    if (first === undefined) throw new Error('no records');
    first.metadata = [['note', 'x']];
    await expect(read(write(r))).rejects.toMatchObject({ constructor: FormatError, field: 'metadata', sequence: 0 });
  });

  it('refuses an empty final chunk after full chunks', async () => {
    const full = data.subarray(0, 3 * CHUNK);
    const r = chunksOf(full, CHUNK);
    for (const rec of r) rec.final = false;
    r.push({ offset: full.length, data: new Uint8Array(0), final: true });
    await expect(read(write(r))).rejects.toMatchObject({ constructor: FormatError, field: 'length', sequence: 3 });
  });

  it('accepts the empty final chunk of an empty stream', async () => {
    await expect(read(write([{ offset: 0, data: new Uint8Array(0), final: true }]))).resolves.toBeDefined();
  });

  it('notices a container without its final chunk', async () => {
    // Full chunks only: a short one would be refused as short first.
    const r = chunksOf(data.subarray(0, 3 * CHUNK), CHUNK);
    for (const rec of r) rec.final = false;
    const path = write(r);
    if (reader === 'inspect') {
      await expect(inspect(path)).resolves.toMatchObject({ complete: false, rootDigest: null, chunks: r.length });
    } else {
      await expect(read(path)).rejects.toBeInstanceOf(TruncatedStreamError);
    }
  });
});
