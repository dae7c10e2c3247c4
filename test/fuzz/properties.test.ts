// Property-based tests (fast-check, fixed seeds): the container reader, the
// record and header decoders, the LZ4 decoder bindings and the manifest
// parser, fed arbitrary and mutated input. The properties: a reader never
// accepts-but-wrong (a container either restores exactly its bytes or is
// rejected with a bad-input error), decoders only ever throw their typed
// errors, LZ4 kernels never write past their capacity and round-trip, and a
// manifest is either parsed or refused with ManifestError, never a crash.
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HiveError, ManifestError, isBadInputError, mergeManifests, pack, unpack } from '../../dist/index.js';
import { FormatError } from '../../dist/errors.js';
import { decodeRecord } from '../../dist/format/record.js';
import { parseHeader } from '../../dist/format/header.js';
import { createLz4Kernel, LZ4_BACKENDS } from '../../dist/engine/backends/kernels.js';
import { lz4JobTable, setLz4Job } from '../../dist/engine/backends/job-table.js';
import { parseManifest, summarize } from '../../dist/convert/manifest.js';
import { tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-props-');
afterAll(() => tmp.cleanup());
const SEED = 20240615;

function collector(): { sink: Writable; bytes(): Buffer } {
  const parts: Buffer[] = [];
  return { sink: new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), bytes: () => Buffer.concat(parts) };
}

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
);

function mutate(c: Buffer, m: Mutation): Buffer {
  const at = m.at % (c.length + 1);
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(c);
      const i = at % c.length;
      copy[i] = (copy[i] ?? 0) ^ m.mask;
      return copy;
    }
    case 'truncate':
      return c.subarray(0, at % c.length);
    case 'insert':
      return Buffer.concat([c.subarray(0, at), m.bytes, c.subarray(at)]);
    case 'delete':
      return Buffer.concat([c.subarray(0, at), c.subarray(at + m.n)]);
    case 'overwrite': {
      const copy = Buffer.from(c);
      copy.set(m.bytes.subarray(0, Math.max(0, copy.length - at)), Math.min(at, copy.length));
      return copy;
    }
  }
}

describe('container reader', () => {
  it('a mutated container restores exactly its bytes or is rejected with a bad-input error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 12_000 }),
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (data, lz4, mutations) => {
          const packed = collector();
          await pack(data, packed.sink, { chunkSize: 4096, compression: lz4 ? 'lz4' : 'none', workers: 1 });
          let c = packed.bytes();
          for (const m of mutations) c = mutate(c, m);
          const out = collector();
          try {
            await unpack([c], out.sink, { workers: 1 });
          } catch (err) {
            if (!isBadInputError(err)) throw err;
            return;
          }
          expect(out.bytes().equals(Buffer.from(data))).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('the record decoder only ever throws FormatError, and what it returns lies within the record', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 1 << 20 }), (bytes, chunkSize) => {
        try {
          const r = decodeRecord(bytes, 0, bytes.length, { sequence: 0, baseOffset: 0, chunkSize });
          expect(r.dataStart + r.dataLength).toBeLessThanOrEqual(bytes.length);
          expect(r.length).toBeLessThanOrEqual(chunkSize);
          if (!r.final) expect(r.metadata.size).toBe(0);
        } catch (err) {
          expect(err).toBeInstanceOf(FormatError);
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('the header parser only ever throws bad-input errors', () => {
    const magic = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), fc.boolean(), (rest, withMagic, eof) => {
        const buf = withMagic ? Buffer.concat([magic, rest]) : Buffer.from(rest);
        try {
          parseHeader(buf, eof, { maxHeaderBytes: 1 << 20, maxChunkSize: 64 << 20 });
        } catch (err) {
          expect(isBadInputError(err)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

/** The LZ4 kernels this machine has (the native one needs the addon and liblz4). */
const kernels = LZ4_BACKENDS.flatMap((name) => {
  try {
    return [createLz4Kernel(name)];
  } catch {
    return [];
  }
});

describe.each(kernels.map((k) => [k.name, k] as const))('LZ4 decoder binding: %s', (_name, kernel) => {
  const run = (op: 'compress' | 'decompress', input: Uint8Array, capacity: number): { n: number; out: Uint8Array; guard: Uint8Array } => {
    // A guard area after the output catches any write past the capacity.
    const ring = new Uint8Array(new SharedArrayBuffer(input.length + capacity + 64));
    ring.set(input, 0);
    ring.fill(0xa5, input.length + capacity);
    const jobs = lz4JobTable(1);
    setLz4Job(jobs, 0, 0, input.length, input.length, capacity);
    const results = new Int32Array(1);
    kernel[op](ring, jobs, 1, results);
    const n = results[0] ?? 0;
    return { n, out: ring.subarray(input.length, input.length + Math.max(0, n)), guard: ring.subarray(input.length + capacity) };
  };

  it('arbitrary framed blocks: never throws, never writes past the capacity, a success restores exactly the size claimed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 70_000 }), fc.nat({ max: 80_000 }), (body, claimed, capacity) => {
        const framed = Buffer.alloc(4 + body.length);
        framed.writeUInt32LE(claimed, 0);
        framed.set(body, 4);
        const { n, guard } = run('decompress', framed, capacity);
        expect(guard.every((b) => b === 0xa5)).toBe(true);
        if (n >= 0) {
          expect(n).toBe(claimed);
          expect(n).toBeLessThanOrEqual(capacity);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('round-trips arbitrary bytes; a flipped compressed byte never makes it write past the capacity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (data, at, mask) => {
        const compressed = run('compress', data, data.length + (data.length >> 8) + 64);
        expect(compressed.n).toBeGreaterThan(0);
        const framed = Buffer.from(compressed.out);
        expect(run('decompress', framed, data.length).out).toEqual(data);
        const i = at % framed.length;
        framed[i] = (framed[i] ?? 0) ^ mask;
        const back = run('decompress', framed, data.length);
        expect(back.guard.every((b) => b === 0xa5)).toBe(true);
        // A flip may still decode (to other bytes: the chunk digest catches that), but never to more than asked.
        expect(back.n).toBeLessThanOrEqual(data.length);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

const jobLine = fc.record({
  kind: fc.constant('job'),
  version: fc.constant(1),
  tool: fc.string(),
  startedAt: fc.string(),
  resume: fc.boolean(),
  to: fc.constantFrom('hvs', 'raw'),
  compression: fc.constantFrom('none', 'lz4', null),
  chunkSize: fc.oneof(fc.constant(null), fc.integer()),
  inputs: fc.array(fc.string(), { maxLength: 3 }),
  outDir: fc.string(),
  shard: fc.oneof(fc.constant(null), fc.record({ index: fc.integer({ min: -2, max: 5 }), count: fc.integer({ min: -1, max: 5 }) }), fc.anything()),
  jobFiles: fc.integer(),
  shardFiles: fc.integer(),
  listSha256: fc.string(),
});
const fileLine = fc.record({
  kind: fc.constant('file'),
  input: fc.string(),
  output: fc.string(),
  op: fc.string(),
  status: fc.constantFrom('done', 'failed', 'skipped', 'other'),
  inputSize: fc.oneof(fc.integer(), fc.double(), fc.anything()),
  inputMtimeMs: fc.double(),
  bytes: fc.integer(),
  storedBytes: fc.integer(),
  rootDigest: fc.string(),
  error: fc.anything(),
  at: fc.string(),
});
/** A manifest line: a plausible one with any field replaced, or anything JSON, or not JSON at all. */
const line = fc.oneof(
  jobLine.map((l) => JSON.stringify(l)),
  fileLine.map((l) => JSON.stringify(l)),
  fc.tuple(fc.oneof(jobLine, fileLine), fc.string(), fc.anything()).map(([l, k, v]) => JSON.stringify({ ...l, [k]: v })),
  fc.json(),
  fc.string(),
);

describe('manifest parser', () => {
  it('parses or refuses with ManifestError; what it parses summarises and merges without crashing', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 6 }), fc.boolean(), async (lines, torn) => {
        const text = lines.join('\n') + (torn ? '' : '\n');
        let parsed;
        try {
          parsed = parseManifest(text, 'm.jsonl');
        } catch (err) {
          expect(err).toBeInstanceOf(ManifestError);
          return;
        }
        summarize(parsed);
        const a = tmp.path(`m${n++}.jsonl`);
        writeFileSync(a, text);
        try {
          await mergeManifests({ manifests: [a] });
        } catch (err) {
          expect(err).toBeInstanceOf(HiveError);
          expect((err as HiveError).exitCode).not.toBe(1);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
