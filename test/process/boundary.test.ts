// Record-aligned chunks (a boundary), as a property over seeded random
// inputs: lines of random lengths, LF and CRLF endings, a last line with or
// without its newline, lines longer than the chunk size. process and pack
// cut the same way from a file, from bytes and from a stream in irregular
// pieces: no chunk splits a record, every chunk but the last ends with the
// delimiter and is as long as the rule allows; a record longer than the
// limit is FrameTooLargeError at its offset; a container records the
// boundary and every reader restores the bytes exactly.
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, FormatError, FrameTooLargeError, inspect, pack, processStream, readChunks, unpack, verify, type Source } from '../../dist/index.js';
import { below, prng } from '../helpers/prng.js';
import { pieces, tempDir } from '../helpers/fixtures.js';
import { forge, type ForgedRecord } from '../helpers/forge.js';

const CHUNK = 4096;
const MAX_RECORD = 4 * CHUNK;
const NL = 0x0a;
const engine = new Engine({ threads: 2 });
const tmp = tempDir();
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const identity = new URL('./modules/delays.mjs', import.meta.url).pathname;

/**
 * Seeded lines: mostly short, some near the chunk size, some longer than it
 * when `longest` (a record's bytes, its newline included) allows; LF or
 * CRLF; the last one maybe without its newline.
 */
function lines(seed: number, longest: number): Buffer {
  const next = prng(seed);
  const out: number[] = [];
  const count = 40 + below(next, 120);
  const medium = Math.min(CHUNK, longest) - 2;
  for (let i = 0; i < count; i++) {
    const kind = below(next, 100);
    const length = kind < 80 || medium <= 200 ? below(next, 200) : kind < 95 || longest <= CHUNK ? 200 + below(next, medium - 200) : CHUNK + below(next, longest - CHUNK - 2);
    for (let j = 0; j < length; j++) out.push(0x20 + below(next, 95));
    const last = i === count - 1;
    if (last && below(next, 2) === 0) break;
    if (below(next, 4) === 0) out.push(0x0d);
    out.push(NL);
  }
  return Buffer.from(out);
}

/** Checks the chunks against the rule: they are the input, cut after the last delimiter within each chunk, a longer record alone. */
function checkCuts(input: Buffer, chunks: Buffer[], maxRecord: number): void {
  expect(Buffer.concat(chunks).equals(input)).toBe(true);
  let offset = 0;
  chunks.forEach((c, i) => {
    const final = i === chunks.length - 1;
    const rest = input.length - offset;
    if (final) {
      expect(c.length).toBe(rest);
      expect(rest <= CHUNK || c.subarray(0, c.length - 1).indexOf(NL) < 0).toBe(true);
    } else {
      expect(c[c.length - 1]).toBe(NL);
      expect(rest).toBeGreaterThan(CHUNK);
      if (c.length <= CHUNK) {
        // Cut at the last delimiter within the chunk size: none follows before it.
        expect(input.subarray(offset + c.length, offset + CHUNK).indexOf(NL)).toBe(-1);
      } else {
        // One record longer than the chunk size, alone.
        expect(c.length).toBeLessThanOrEqual(maxRecord);
        expect(c.indexOf(NL)).toBe(c.length - 1);
      }
    }
    offset += c.length;
  });
}

function sources(input: Buffer, seed: number): Array<[string, () => Source]> {
  const path = tmp.path(`lines-${seed}.txt`);
  writeFileSync(path, input);
  return [
    ['file', () => path],
    ['bytes', () => input],
    ['stream', () => pieces(input, seed)],
  ];
}

async function processCuts(source: Source, maxRecordSize = MAX_RECORD): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of processStream<Uint8Array>(source, { engine, module: identity, export: 'identity', params: { maxDelay: 2 }, input: 'raw', chunkSize: CHUNK, boundary: 'newline', maxRecordSize })) {
    out.push(Buffer.from(c.result ?? new Uint8Array(0)));
  }
  return out;
}

const SEEDS = Array.from({ length: 10 }, (_, i) => 101 + i);

describe('process with boundary newline: no record is split', () => {
  it.each(SEEDS)('seed %i: from a file, bytes and a stream, the same cuts, by the rule', async (seed) => {
    const input = lines(seed, 3 * CHUNK);
    const cuts: number[][] = [];
    for (const [, make] of sources(input, seed)) {
      const chunks = await processCuts(make());
      checkCuts(input, chunks, MAX_RECORD);
      cuts.push(chunks.map((c) => c.length));
    }
    expect(cuts[1]).toEqual(cuts[0]);
    expect(cuts[2]).toEqual(cuts[0]);
  });

  it('a record over the limit is FrameTooLargeError at its offset, from every kind of source', async () => {
    const long = Buffer.alloc(MAX_RECORD + 10, 0x61);
    const input = Buffer.concat([Buffer.from('short\nlines\n'), long, Buffer.from('\nafter\n'), Buffer.alloc(CHUNK, 0x62)]);
    for (const [name, make] of sources(input, 7)) {
      const err = await processCuts(make()).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(FrameTooLargeError);
      expect(err, name).toMatchObject({ offset: 12, limit: MAX_RECORD });
    }
  });

  it('an input without any delimiter is one record: the last chunk, up to the limit', async () => {
    const input = Buffer.alloc(3 * CHUNK, 0x63);
    for (const [, make] of sources(input, 8)) expect((await processCuts(make())).map((c) => c.length)).toEqual([3 * CHUNK]);
  });

  it('empty input: one empty chunk', async () => {
    for (const [, make] of sources(Buffer.alloc(0), 9)) expect((await processCuts(make())).map((c) => c.length)).toEqual([0]);
  });
});

describe('pack with boundary newline', () => {
  it.each(SEEDS.slice(0, 5))('seed %i: the container records it, its chunks follow the rule, every reader restores the bytes', async (seed) => {
    const input = lines(seed, CHUNK);
    const layouts: number[][] = [];
    for (const [name, make] of sources(input, seed)) {
      const path = tmp.path(`lines-${seed}-${name}.hvs`);
      const report = await pack(make(), path, { engine, chunkSize: CHUNK, boundary: 'newline', compression: seed % 2 === 0 ? 'lz4' : 'none' });
      expect(report.boundary).toBe(NL);
      const chunks: Buffer[] = [];
      for await (const e of readChunks(path, { engine })) {
        if (e.kind === 'header') expect(e.header.metadata['hivestream.boundary']).toBe('0a');
        if (e.kind === 'chunk') chunks.push(Buffer.from(e.bytes));
      }
      checkCuts(input, chunks, CHUNK);
      layouts.push(chunks.map((c) => c.length));
      const parts: Buffer[] = [];
      await unpack(path, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), { engine });
      expect(Buffer.concat(parts).equals(input)).toBe(true);
      await expect(verify(path, { engine })).resolves.toMatchObject({ bytes: input.length });
      await expect(inspect(path)).resolves.toMatchObject({ complete: true, chunks: chunks.length });
    }
    expect(layouts[1]).toEqual(layouts[0]);
    expect(layouts[2]).toEqual(layouts[0]);
  });

  it('refuses a record longer than the chunk size, naming its offset', async () => {
    const input = Buffer.concat([Buffer.from('ok\n'), Buffer.alloc(CHUNK + 1, 0x61), Buffer.from('\nmore\n'), Buffer.alloc(CHUNK, 0x62)]);
    for (const [name, make] of sources(input, 3)) {
      const err = await pack(make(), tmp.path(`refused-${name}.hvs`), { engine, chunkSize: CHUNK, boundary: 'newline' }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(FrameTooLargeError);
      expect(err, name).toMatchObject({ offset: 3, limit: CHUNK });
    }
  });
});

describe('the chain rule of a boundary container, the same for every reader', () => {
  const READERS: Record<string, (path: string) => Promise<unknown>> = {
    unpack: (path) => unpack(path, new Writable({ write: (_c: Buffer, _e, cb) => cb() }), { engine }),
    verify: (path) => verify(path, { engine }),
    readChunks: async (path) => {
      for await (const _ of readChunks(path, { engine }));
    },
    inspect: (path) => inspect(path),
  };
  let n = 0;
  const write = (records: ForgedRecord[], boundary: number | undefined): string => {
    const path = tmp.path(`forged-${n++}.hvs`);
    writeFileSync(path, forge(records, { chunkSize: CHUNK, ...(boundary === undefined ? {} : { boundary }) }));
    return path;
  };
  const recs = (...parts: string[]): ForgedRecord[] => {
    let offset = 0;
    return parts.map((p, i) => {
      const r = { offset, data: Buffer.from(p), final: i === parts.length - 1 };
      offset += p.length;
      return r;
    });
  };

  it.each(Object.keys(READERS))('%s: short chunks ending with the delimiter pass; without it, or empty, or in a fixed-size container, they fail', async (reader) => {
    const read = READERS[reader] ?? (() => Promise.reject(new Error('no reader')));
    await expect(read(write(recs('one\n', 'two\nthree\n', 'tail'), NL))).resolves.not.toThrow();
    await expect(read(write(recs('one\n', 'two', '\ntail'), NL))).rejects.toMatchObject({ constructor: FormatError, sequence: 1, field: 'data' });
    await expect(read(write(recs('one\n', '', 'tail'), NL))).rejects.toMatchObject({ constructor: FormatError, sequence: 1, field: 'length' });
    await expect(read(write(recs('one\n', 'tail'), undefined))).rejects.toMatchObject({ constructor: FormatError, sequence: 0, field: 'length' });
  });

  it('a header whose boundary is not a byte is refused', async () => {
    const bytes = forge(recs('x\n', 'y'), { chunkSize: CHUNK, boundary: NL });
    const at = bytes.indexOf('hivestream.boundary') + 'hivestream.boundary'.length + 1;
    bytes.write('zz', at);
    const path = tmp.path('bad-boundary.hvs');
    writeFileSync(path, bytes);
    await expect(verify(path, { engine })).rejects.toMatchObject({ constructor: FormatError, field: 'hivestream.boundary' });
  });
});
