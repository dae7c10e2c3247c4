// The Python reader (python/hivestream, pure Python + numpy; torch optional)
// against containers this library writes: one vitest test per Python test
// module, run with Debian's /usr/bin/python3, python3-numpy and python3-torch.
// Locally skipped when they are missing; CI installs them and sets
// HIVESTREAM_REQUIRE_PYTHON=1.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DTYPES, pack, readRecords, writeCheckpoint, writeRecords, writeTrainingData, type CheckpointTensor, type Dtype } from '../dist/index.js';
import { ROOT, sample, tempDir } from './helpers/fixtures.js';
import { forge } from './helpers/forge.js';
import { fillRandom, prng } from './helpers/prng.js';
import { FIELDS, records as floatRecords, typed } from './ml/helpers.js';

const PYTHON = '/usr/bin/python3';
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const required = process.env.HIVESTREAM_REQUIRE_PYTHON === '1';
const tmp = tempDir('hvs-python-');
afterAll(() => tmp.cleanup());

function python(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(PYTHON, args, { cwd: `${ROOT}python`, encoding: 'utf8', env: { ...process.env, HIVESTREAM_FIXTURES: tmp.dir, PYTHONPATH: `${ROOT}python` }, timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const hex = (b: ArrayBufferView): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const sha = (b: ArrayBufferView): string => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');

function flipAt(path: string, fraction: number): void {
  const b = readFileSync(path);
  const at = Math.floor(b.length * fraction);
  b[at] = (b[at] ?? 0) ^ 0x10;
  writeFileSync(path, b);
}

async function fixtures(): Promise<void> {
  const SIZE: Record<Dtype, number> = { float16: 2, bfloat16: 2, float32: 4, float64: 8, int8: 1, int16: 2, int32: 4, int64: 8, uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1 };
  const shapes = [[], [7], [3, 5], [2, 3, 4], [0, 4], [1, 1, 1, 9]];
  const tensors: CheckpointTensor[] = [{ name: 'embed', dtype: 'float32', shape: [64, 1024], data: fillRandom(new Uint8Array(256 * 1024), prng(99)) }];
  DTYPES.forEach((dtype, i) => {
    const shape = shapes[i % shapes.length] ?? [];
    const data = fillRandom(new Uint8Array(shape.reduce((a, b) => a * b, 1) * SIZE[dtype]), prng(i + 1));
    if (dtype === 'bool') data.forEach((v, k) => (data[k] = v & 1));
    tensors.push({ name: `layer${i}.${dtype}`, dtype, shape, data, metadata: i % 2 === 0 ? { role: 'weight' } : {} });
  });
  await writeCheckpoint(tensors, tmp.path('ckpt.hvs'), { metadata: { framework: 'test', step: '7' }, chunkSize: 4096, compression: 'lz4', workers: 2 });
  const described = tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, sha256: sha(t.data as Uint8Array), metadata: t.metadata ?? {} }));
  writeFileSync(tmp.path('ckpt.json'), JSON.stringify({ metadata: { framework: 'test', step: '7' }, tensors: described }));
  await writeCheckpoint(tensors, tmp.path('ckpt-corrupt.hvs'), { chunkSize: 4096, workers: 2 });
  flipAt(tmp.path('ckpt-corrupt.hvs'), 0.3);

  const n = 300;
  const gen = function* (): Generator<Record<string, unknown>> {
    for (let i = 0; i < n; i++) yield typed(i);
  };
  await writeRecords(gen(), tmp.path('typed.hvs'), { fields: FIELDS, chunkSize: 4096, compression: 'lz4', workers: 2 });
  await writeRecords(gen(), tmp.path('typed-corrupt.hvs'), { fields: FIELDS, chunkSize: 4096, workers: 2 });
  flipAt(tmp.path('typed-corrupt.hvs'), 0.5);
  const expected = [...gen()].map((r) => ({
    tokens: [...(r.tokens as BigInt64Array)].map(String),
    features: hex(r.features as Float32Array),
    label: String(r.label),
    source: r.source,
  }));
  writeFileSync(tmp.path('typed.json'), JSON.stringify(expected));

  await writeTrainingData(floatRecords(200, 6, 2), tmp.path('v1.hvs'), { chunkSize: 4096, workers: 2 });
  const r7 = [...floatRecords(8, 6, 2)][7];
  writeFileSync(tmp.path('v1.json'), JSON.stringify({ records: 200, inputs7: hex(r7?.inputs as Float32Array), label7: r7?.label ?? null }));

  const orders: Record<string, number[]> = {};
  for (const [file, rank, worker] of [['typed.hvs', 1, 0], ['typed.hvs', 0, 1], ['v1.hvs', 1, 1]] as const) {
    const out: number[] = [];
    for await (const r of readRecords(tmp.path(file), { shuffle: true, seed: 9, epoch: 2, rank, worldSize: 2, workerId: worker, numWorkers: 2, blockSize: 4, shuffleBuffer: 64, workers: 1 })) out.push(r.index);
    orders[`${file}:9:2:${rank}:2:${worker}:2:4`] = out;
  }
  writeFileSync(tmp.path('orders.json'), JSON.stringify(orders));

  // Record-aligned chunks (hivestream.boundary), a fixed-size container of the same lines, and a forged one.
  const lines = sample('text', 50_000, 31);
  writeFileSync(tmp.path('lines.txt'), lines);
  await pack(lines, tmp.path('lines.hvs'), { chunkSize: 4096, boundary: 'newline', compression: 'lz4', workers: 2 });
  await pack(lines, tmp.path('lines-fixed.hvs'), { chunkSize: 4096, workers: 2 });
  writeFileSync(tmp.path('lines-forged.hvs'), forge([{ offset: 0, data: Buffer.from('no newline'), final: false }, { offset: 10, data: Buffer.from('end\n'), final: true }], { chunkSize: 4096, boundary: 0x0a }));
}

describe('Python reader', () => {
  beforeAll(async () => {
    if (hasNumpy) await fixtures();
  });

  it('numpy and torch are available where CI requires them', () => {
    // Locally, install Debian's python3-numpy and python3-torch to run these; CI installs them.
    if (required) expect([hasNumpy, hasTorch]).toEqual([true, true]);
  });

  it.skipIf(!hasNumpy).each(['test_checkpoint', 'test_records', 'test_container'])('python -m unittest tests.%s', (module) => {
    const r = python(['-m', 'unittest', '-v', `tests.${module}`]);
    expect(r.out).not.toMatch(/FAILED|Error/);
    // Without torch, its cases skip themselves; with it, nothing may skip.
    if (hasTorch) expect(r.out).not.toMatch(/skipped/);
    expect(r.status, r.out).toBe(0);
  });

  it.skipIf(!hasTorch)('python -m unittest tests.test_torch (map-style and iterable datasets, DataLoader workers and ranks)', () => {
    const r = python(['-m', 'unittest', '-v', 'tests.test_torch']);
    expect(r.out).not.toMatch(/skipped|FAILED/);
    expect(r.status, r.out).toBe(0);
  });

  it.skipIf(!hasTorch)('a torch state_dict written from Python as raw tensors, packed by Node, restores bit-exact in Python', async () => {
    const w = python(['-m', 'tests.torch_state_dict', 'write', tmp.dir]);
    expect(w.status, w.out).toBe(0);
    const manifest = JSON.parse(readFileSync(tmp.path('manifest.json'), 'utf8')) as Array<{ name: string; dtype: Dtype; shape: number[]; file: string }>;
    expect(manifest.map((t) => t.dtype)).toEqual(expect.arrayContaining(['float16', 'bfloat16', 'int64', 'float32', 'bool']));
    expect(manifest.some((t) => t.shape.length === 0)).toBe(true);
    // Each tensor streamed from its file, not read whole.
    await writeCheckpoint(
      manifest.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: createReadStream(t.file) })),
      tmp.path('state.hvs'),
      { compression: 'lz4', workers: 2 },
    );
    const c = python(['-m', 'tests.torch_state_dict', 'check', tmp.dir, tmp.path('state.hvs')]);
    expect(c.out).toMatch(/ok \d+ tensors/);
    expect(c.status, c.out).toBe(0);
  });
});
