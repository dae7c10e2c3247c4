// process through the public API, with real modules run in the engine's
// workers: results in chunk order whatever the calls' timing, from files,
// streams and containers; results of every kind; sinks (file, Node and Web
// streams, a container); backpressure from a slow consumer; an abort that
// settles and frees the engine.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { WritableStream } from 'node:stream/web';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, Engine, ValidationError, pack, processStream, processTo, readChunks, unpack, type ProcessOptions, type Source } from '../../dist/index.js';
import { pieces, sample, tempDir } from '../helpers/fixtures.js';

const KiB = 1024;
const MiB = 1 << 20;
const engine = new Engine({ threads: 2 });
const tmp = tempDir();
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const mod = (name: string): string => new URL(`./modules/${name}`, import.meta.url).pathname;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const data = sample('text', 2 * MiB + 12_345, 3);
const file = tmp.path('in.jsonl');
writeFileSync(file, data);

async function collect<R>(source: Source, o: Omit<ProcessOptions, 'engine'>): Promise<Array<{ sequence: number; offset: number; length: number; result: R | undefined }>> {
  const out = [];
  for await (const c of processStream<R>(source, { engine, ...o })) out.push(c);
  return out;
}

interface Described {
  sequence: number;
  offset: number;
  length: number;
  sha256: string;
}

describe('process: results in chunk order', () => {
  const sources: Array<[string, () => Source | Promise<Source>]> = [
    ['a file (workers read it)', () => file],
    ['a stream in irregular pieces', () => pieces(data, 9)],
    [
      'a container (each chunk verified first)',
      async () => {
        const path = tmp.path('in.hvs');
        await pack(file, path, { chunkSize: '64KiB', compression: 'lz4', engine });
        return path;
      },
    ],
    [
      'a container arriving as a stream',
      async () => {
        const path = tmp.path('in-stream.hvs');
        await pack(file, path, { chunkSize: '64KiB', engine });
        return pieces(readFileSync(path), 5);
      },
    ],
  ];

  it.each(sources)('from %s, under random per-chunk delays', async (_name, make) => {
    const chunks = await collect<Described>(await make(), { module: mod('delays.mjs'), chunkSize: '64KiB', params: { maxDelay: 12 } });
    expect(chunks.length).toBe(Math.ceil(data.length / (64 * KiB)));
    let offset = 0;
    chunks.forEach((c, i) => {
      expect(c.sequence).toBe(i);
      expect(c.offset).toBe(offset);
      expect(c.result).toEqual({ sequence: i, offset, length: c.length, sha256: sha(data.subarray(offset, offset + c.length)) });
      offset += c.length;
    });
    expect(offset).toBe(data.length);
  });

  it('hands out the chunk itself as a view of the ring, in order, with no copy on the way', async () => {
    const out = await collect<Uint8Array>(pieces(data, 4), { module: mod('delays.mjs'), export: 'identity', chunkSize: '64KiB' });
    const joined = Buffer.concat(out.map((c) => Buffer.from(c.result ?? new Uint8Array(0))));
    expect(sha(joined)).toBe(sha(data));
    expect(out[0]?.result?.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('returns the report, with the figures of the run', async () => {
    const it = processStream(file, { engine, module: mod('delays.mjs'), export: 'nothing', chunkSize: '1MiB' });
    let step = await it.next();
    let n = 0;
    while (step.done !== true) {
      n++;
      expect(step.value.result).toBeUndefined();
      step = await it.next();
    }
    expect(step.value).toMatchObject({ operation: 'process', input: 'raw', export: 'nothing', chunks: n, bytes: data.length, results: 0, chunkSize: MiB, boundary: null, verified: null });
    expect(step.value.module).toMatch(/^file:.*delays\.mjs$/);
  });
});

describe('process: results of every kind cross intact', () => {
  it.each([false, true])('with transfer %s', async (transfer) => {
    const out = await collect(data.subarray(0, 16 * 4 * KiB), { module: mod('values.mjs'), chunkSize: '4KiB', params: { tag: 'p' }, transfer });
    expect(out).toHaveLength(16);
    for (const { sequence: s, offset, result } of out) {
      const expected = [
        `chunk ${s} at ${offset}`,
        Float32Array.of(s, 4096, 0.5),
        Uint8Array.of(7, 7, 7, 7),
        Uint8Array.of(1, 2, 3).buffer,
        { sequence: s, params: { tag: 'p' }, nested: [new Int32Array([s, -s])] },
        new Uint8Array(data.subarray(offset, offset + 4)),
        new BigInt64Array([BigInt(offset)]),
        undefined,
      ][s % 8];
      if (result instanceof Uint8Array) expect(new Uint8Array(result)).toEqual(expected);
      else expect(result).toEqual(expected);
    }
    // The small view of a larger buffer crossed alone, not with its buffer.
    expect((out[2]?.result as Uint8Array).buffer.byteLength).toBe(4);
  });

  it('moves whole fresh typed arrays when asked', async () => {
    const out = await collect<Int32Array>(data.subarray(0, 8 * 4 * KiB), { module: mod('values.mjs'), export: 'fresh', chunkSize: '4KiB', transfer: true });
    out.forEach((c, i) => expect(c.result?.every((v) => v === i)).toBe(true));
  });
});

describe('processTo: results written in order', () => {
  const options = { engine, module: mod('delays.mjs'), export: 'identity', chunkSize: '64KiB', boundary: 'newline' } as const;

  it('to a file, atomically', async () => {
    const out = tmp.path('copy.jsonl');
    const report = await processTo(file, out, options);
    expect(sha(readFileSync(out))).toBe(sha(data));
    expect(report).toMatchObject({ operation: 'process', bytes: data.length, resultBytes: data.length, boundary: 10, output: null });
  });

  it('to a Node Writable and a Web WritableStream', async () => {
    const node: Buffer[] = [];
    await processTo(pieces(data, 2), new Writable({ write: (c: Buffer, _e, cb) => (node.push(c), cb()) }), options);
    expect(sha(Buffer.concat(node))).toBe(sha(data));
    const web: Uint8Array[] = [];
    await processTo(file, new WritableStream<Uint8Array>({ write: (c) => void web.push(c) }), options);
    expect(sha(Buffer.concat(web))).toBe(sha(data));
  });

  it('into a container packed from the results, record-aligned, that unpacks to them', async () => {
    const out = tmp.path('copy.hvs');
    const report = await processTo(file, { pack: out, options: { compression: 'lz4', boundary: 'newline', chunkSize: '64KiB', engine } }, options);
    expect(report.output).toMatchObject({ bytes: data.length, compression: 'lz4', boundary: 10 });
    const restored = tmp.path('restored.jsonl');
    await unpack(out, restored, { engine });
    expect(sha(readFileSync(restored))).toBe(sha(data));
    for await (const e of readChunks(out, { engine })) if (e.kind === 'chunk' && !e.final) expect(e.bytes[e.bytes.length - 1]).toBe(10);
  });

  it('into a container of 4 KiB chunks: the pack leaves the process room in the engine', async () => {
    const out = tmp.path('small-chunks.hvs');
    const report = await processTo(data, { pack: out, options: { chunkSize: '4KiB', engine } }, { ...options, chunkSize: '4KiB', boundary: 'none' });
    expect(report.output).toMatchObject({ bytes: data.length, chunks: Math.ceil(data.length / 4096) });
  });

  it('refuses a result that is not bytes or text, and leaves no output', async () => {
    const out = tmp.path('objects.out');
    const err = await processTo(file, out, { engine, module: mod('faults.mjs'), export: 'object' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_PROCESS', reason: 'result', sequence: 0 });
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('process: containers', () => {
  it('refuses a boundary the container was not packed with', async () => {
    const path = tmp.path('fixed.hvs');
    await pack(file, path, { chunkSize: '64KiB', engine });
    await expect(collect(path, { module: mod('delays.mjs'), boundary: 'newline' })).rejects.toThrow(ValidationError);
    await expect(collect(path, { module: mod('delays.mjs'), boundary: 'newline' })).rejects.toThrow(/fixed-size chunks/);
  });

  it('verifies every chunk before the function sees it: a flipped byte fails the run with the checksum error', async () => {
    const path = tmp.path('damaged.hvs');
    await pack(file, path, { chunkSize: '64KiB', engine });
    const bytes = readFileSync(path);
    const at = bytes.length - 70_000;
    bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    writeFileSync(path, bytes);
    await expect(collect(path, { module: mod('delays.mjs') })).rejects.toMatchObject({ code: 'E_CHECKSUM' });
  });
});

describe('process: memory and backpressure', () => {
  it('reads no further ahead of a slow consumer than its slots hold', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const p of [...Array(64).keys()].map((i) => data.subarray(i * 32 * KiB, (i + 1) * 32 * KiB))) {
        pulled += p.length;
        yield await Promise.resolve(p);
      }
    }
    let consumed = 0;
    let ahead = 0;
    for await (const c of processStream(source(), { engine, module: mod('delays.mjs'), export: 'nothing', chunkSize: '64KiB', ringSlots: 6 })) {
      consumed += c.length;
      ahead = Math.max(ahead, pulled - consumed);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(consumed).toBe(64 * 32 * KiB);
    // Six slots of 64 KiB, and the source's piece being read into the next.
    expect(ahead).toBeLessThanOrEqual(6 * 64 * KiB + 32 * KiB);
  });

  it('stops at once on abort, and gives every slot and task back', async () => {
    const ctl = new AbortController();
    let seen = 0;
    const err = await (async () => {
      for await (const _ of processStream(file, { engine, module: mod('delays.mjs'), chunkSize: '64KiB', signal: ctl.signal })) if (++seen === 3) ctl.abort();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(seen).toBe(3);
    const stats = engine.stats();
    expect(stats.memory.slotsHeld).toBe(0);
    expect(stats.tasks.inflight).toBe(0);
  });

  it('frees everything when the consumer leaves early', async () => {
    let seen = 0;
    for await (const _ of processStream(file, { engine, module: mod('delays.mjs'), chunkSize: '64KiB' })) if (++seen === 2) break;
    expect(engine.stats().memory.slotsHeld).toBe(0);
    expect(engine.stats().tasks.inflight).toBe(0);
  });
});
