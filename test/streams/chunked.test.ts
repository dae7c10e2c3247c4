// chunked(): lazy fixed-size chunks over every kind of sequential source.
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { AbortError, ValidationError, chunked } from '../../dist/index.js';
import { pieces } from '../helpers/fixtures.js';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('chunked', () => {
  it('arrays: slices of size, the last shorter', async () => {
    expect(await all(chunked([1, 2, 3, 4, 5, 6, 7], 3))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(await all(chunked([], 3))).toEqual([]);
  });

  it('typed arrays: subarrays sharing the source buffer', async () => {
    const f = Float32Array.from({ length: 10 }, (_, i) => i);
    const parts = await all(chunked(f, 4));
    expect(parts.map((p) => [...p])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(parts.every((p) => p instanceof Float32Array && p.buffer === f.buffer)).toBe(true);
  });

  it('iterables and async iterables of items', async () => {
    const set = new Set(['a', 'b', 'c', 'd', 'e']);
    expect(await all(chunked(set, 2))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    const gen = async function* () {
      for (let i = 0; i < 5; i++) {
        await Promise.resolve();
        yield { i };
      }
    };
    expect((await all(chunked(gen(), 4))).map((c) => c.length)).toEqual([4, 1]);
  });

  it('byte streams (Readable, ReadableStream, async iterables of Uint8Array) re-cut into size bytes', async () => {
    const data = new Uint8Array(250_003).map((_, i) => (i * 31) & 255);
    const expectCut = (parts: Uint8Array[]): void => {
      expect(parts.slice(0, -1).every((p) => p.length === 65536)).toBe(true);
      expect(parts[parts.length - 1]?.length).toBe(250_003 % 65536);
      expect(Buffer.concat(parts).equals(Buffer.from(data))).toBe(true);
    };
    expectCut(await all(chunked(Readable.from(pieces(data), { objectMode: false }), 65536)));
    expectCut(await all(chunked(pieces(data), 65536)));
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        for (let at = 0; at < data.length; at += 10_000) c.enqueue(data.subarray(at, at + 10_000));
        c.close();
      },
    });
    expectCut(await all(chunked(web, 65536)));
  });

  it("mode 'items' groups Uint8Array items instead of cutting bytes", async () => {
    const items = [new Uint8Array(3), new Uint8Array(5), new Uint8Array(7)];
    const groups = await all(chunked(new Set(items), 2, { mode: 'items' }));
    expect(groups.map((g) => g.length)).toEqual([2, 1]);
  });

  it('a 10-million-element source is never materialised: two chunks pull two chunks of elements', async () => {
    let produced = 0;
    const source = function* (): Generator<number> {
      for (let i = 0; i < 10_000_000; i++) {
        produced++;
        yield i;
      }
    };
    const heapBefore = process.memoryUsage().heapUsed;
    const it = chunked(source(), 1000);
    const a = await it.next();
    const b = await it.next();
    expect(a.value).toHaveLength(1000);
    expect((b.value as number[])[999]).toBe(1999);
    expect(produced).toBe(2000);
    await it.return(undefined);
    expect(produced).toBe(2000);
    // 10 million numbers in an array would take 80 MB or more.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024);
  });

  it('stops on abort and rejects a bad size', async () => {
    const ctl = new AbortController();
    const it = chunked([1, 2, 3, 4], 1, { signal: ctl.signal });
    await it.next();
    ctl.abort();
    await expect(it.next()).rejects.toThrow(AbortError);
    expect(() => chunked([1], 0)).toThrow(ValidationError);
  });
});
