// Model weights: exact tensors back (dtype, shape, bytes), streamed both
// ways, chunk boundaries that split elements, and bad tensors.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError, inspect, openModelWeights, readModelWeights, streamModelWeights, unpack } from '../../dist/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { prng } from '../helpers/prng.js';

const tmp = tempDir('hvs-ml-weights-');
afterAll(() => tmp.cleanup());

function floats(n: number, seed: number): Float32Array {
  const next = prng(seed);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = (next() / 0x100000000) * 4 - 2;
  return f;
}

describe('weights round trip', () => {
  it('float32, float64 and bytes come back with dtype, shape and every bit', async () => {
    const f32 = floats(3 * 1000 + 7, 1);
    const f64 = Float64Array.from(floats(5001, 2), (v) => v / 3);
    const u8 = new Uint8Array(floats(4000, 3).buffer);
    const cases = [
      { name: 'f32', weights: f32, shape: [f32.length] },
      { name: 'f64', weights: f64, shape: [5001] },
      { name: 'u8', weights: u8, shape: [16, 1000] },
    ];
    for (const c of cases) {
      const path = tmp.path(`${c.name}.hvs`);
      const w = await streamModelWeights(c.weights, path, { shape: c.shape, chunkSize: 4096, compression: 'lz4', workers: 2 });
      expect(w.tensor.byteLength).toBe(c.weights.byteLength);
      expect((await inspect(path)).metadata['hivestream.content_type']).toBe('tensor/1');
      const back = await readModelWeights(path, { workers: 2 });
      expect(back.dtype).toBe(c.name === 'f32' ? 'float32' : c.name === 'f64' ? 'float64' : 'uint8');
      expect(back.shape).toEqual(c.shape);
      expect(back.data.constructor).toBe(c.weights.constructor);
      expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(c.weights.buffer, c.weights.byteOffset, c.weights.byteLength))).toBe(true);
      expect(back.report.verified).toBe(true);
      expect(back.report.rootDigest).toBe(w.rootDigest);
    }
  });

  it('the raw stream is the tensor bytes, little-endian (unpack gives a file numpy.fromfile reads)', async () => {
    const f = floats(1000, 4);
    await streamModelWeights({ dtype: 'float32', shape: [10, 100], data: f }, tmp.path('raw.hvs'), { workers: 1 });
    await unpack(tmp.path('raw.hvs'), tmp.path('raw.bin'), { workers: 1 });
    const raw = readFileSync(tmp.path('raw.bin'));
    expect(raw.length).toBe(4000);
    expect(raw.readFloatLE(4 * 123)).toBe(f[123]);
  });
});

describe('streamed both ways', () => {
  it('a float64 tensor from a generator, read back slice by slice across chunk boundaries that split elements', async () => {
    const elements = 300_000; // 2.4 MB
    let produced = 0;
    const source = function* (): Generator<Uint8Array> {
      // Irregular pieces: 1000 to 9000 bytes, cut anywhere (inside elements too).
      const next = prng(9);
      const whole = new Float64Array(elements);
      for (let i = 0; i < elements; i++) whole[i] = i * 0.25 - 7;
      const bytes = new Uint8Array(whole.buffer);
      for (let at = 0; at < bytes.length; ) {
        const n = Math.min(bytes.length - at, 1000 + (next() % 8000));
        produced += n;
        yield bytes.subarray(at, at + n);
        at += n;
      }
    };
    const path = tmp.path('streamed.hvs');
    // 4100-byte chunks: not a multiple of 8, so chunk boundaries fall inside elements.
    await streamModelWeights({ dtype: 'float64', shape: [elements], data: source() }, path, { chunkSize: 4100, workers: 2 });
    expect(produced).toBe(elements * 8);
    const stream = await openModelWeights(path, { dtype: 'float64', workers: 2 });
    expect(stream.tensor).toMatchObject({ dtype: 'float64', shape: [elements], byteLength: elements * 8 });
    let expectedOffset = 0;
    let bad = 0;
    let slices = 0;
    for await (const slice of stream) {
      expect(slice.offset).toBe(expectedOffset);
      expect(slice.data).toBeInstanceOf(Float64Array);
      slice.data.forEach((v, i) => {
        if (v !== (slice.offset + i) * 0.25 - 7) bad++;
      });
      expectedOffset += slice.data.length;
      slices++;
    }
    expect(bad).toBe(0);
    expect(expectedOffset).toBe(elements);
    expect(slices).toBeGreaterThan(500);
    expect(stream.report?.verified).toBe(true);
  });

  it('reading pulls the container only as slices are taken', async () => {
    const f = floats(2 * 1024 * 1024, 5); // 8 MiB
    const path = tmp.path('lazy.hvs');
    await streamModelWeights(f, path, { chunkSize: '64KiB', workers: 2 });
    const container = readFileSync(path);
    let pulled = 0;
    const source = (async function* () {
      for (let at = 0; at < container.length; at += 65536) {
        pulled += Math.min(65536, container.length - at);
        yield container.subarray(at, at + 65536);
        await Promise.resolve();
      }
    })();
    const stream = await openModelWeights(source, { workers: 2, ringSlots: 8 });
    const h = createHash('sha256');
    let n = 0;
    for await (const slice of stream) {
      h.update(slice.data);
      if (++n === 3) break;
    }
    expect(pulled).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('bad tensors', () => {
  it('a stream with too few or too many bytes fails naming both figures, and leaves no file', async () => {
    const dir = tempDir('hvs-ml-wbad-');
    const short = async function* (): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(4000);
      await Promise.resolve();
    };
    await expect(streamModelWeights({ dtype: 'float32', shape: [1001], data: short() }, dir.path('s.hvs'), { workers: 1 })).rejects.toThrow(
      'invalid weights.data: yielded 4000 bytes; shape [1001] of float32 needs 4004',
    );
    await expect(streamModelWeights({ dtype: 'float32', shape: [999], data: [new Uint8Array(4000)] }, dir.path('l.hvs'), { workers: 1 })).rejects.toThrow(
      'yielded more than the 3996 bytes shape [999] of float32 needs',
    );
    expect(readdirSync(dir.dir)).toEqual([]);
    dir.cleanup();
  });

  it('shape and dtype that do not match the data', async () => {
    await expect(streamModelWeights(new Float32Array(10), tmp.path('x.hvs'), { shape: [3, 3] })).rejects.toThrow(ValidationError);
    await expect(streamModelWeights({ dtype: 'float32', shape: [4], data: new Float64Array(4) }, tmp.path('x.hvs'))).rejects.toThrow('a Float64Array given as float32');
    await expect(streamModelWeights({ dtype: 'int4' as 'uint8', shape: [4], data: new Uint8Array(4) }, tmp.path('x.hvs'))).rejects.toThrow('invalid weights.dtype');
    await expect(streamModelWeights(new Float32Array(4), tmp.path('x.hvs'), { shape: [-1] })).rejects.toThrow('invalid shape');
  });
});
