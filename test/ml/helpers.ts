// Seeded training records and container helpers for the ML tests.
import { readFileSync } from 'node:fs';
import type { FieldSpec, TrainingRecord } from '../../dist/index.js';
import { prng } from '../helpers/prng.js';

/** Record `i` of a seeded dataset: the same values for the same (seed, i) on every run. */
export function record(i: number, inputs: number, targets: number, seed = 1): TrainingRecord {
  const next = prng(seed * 1_000_003 + i);
  const x = new Float32Array(inputs);
  for (let j = 0; j < inputs; j++) x[j] = (next() / 0x100000000) * 2 - 1;
  const y = new Float32Array(targets);
  y[i % targets] = 1;
  return { inputs: x, targets: y, label: i % 3 === 0 ? null : `class-${i % targets}`, metadata: { id: String(i), split: i % 10 === 0 ? 'test' : 'train' } };
}

/** `n` seeded records, generated lazily; `counter.produced` says how many were asked for. */
export function* records(n: number, inputs: number, targets: number, counter = { produced: 0 }, seed = 1): Generator<TrainingRecord> {
  for (let i = 0; i < n; i++) {
    counter.produced++;
    yield record(i, inputs, targets, seed);
  }
}

export interface PageSpot {
  /** Byte offset of the page's header in the container (pages stored raw). */
  at: number;
  firstRecord: number;
  count: number;
}

/** Finds the record pages of an uncompressed dataset container, in order. */
export function pagesOf(container: Uint8Array): PageSpot[] {
  const buf = Buffer.from(container.buffer, container.byteOffset, container.byteLength);
  const spots: PageSpot[] = [];
  for (let at = buf.indexOf('HVRP'); at >= 0; at = buf.indexOf('HVRP', at + 1)) {
    if (buf.readUInt16LE(at + 4) !== 1) continue;
    spots.push({ at, firstRecord: buf.readUInt32LE(at + 8), count: buf.readUInt32LE(at + 16) });
  }
  return spots;
}

export function flip(bytes: Uint8Array, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x40;
  return copy;
}

export function read(path: string): Buffer {
  return readFileSync(path);
}

/** The typed dataset of the typed-record tests. */
export const FIELDS: FieldSpec[] = [
  { name: 'tokens', dtype: 'int64', shape: [null] },
  { name: 'features', dtype: 'float32', shape: [8] },
  { name: 'label', dtype: 'int64' },
  { name: 'source', dtype: 'string', optional: true },
];

/** Record i: 0 to 40 tokens, 8 features, a label past float32's exact range. */
export function typed(i: number): Record<string, unknown> {
  const next = prng(i + 7);
  const tokens = BigInt64Array.from({ length: next() % 41 }, () => BigInt(next()) * 4096n);
  const features = Float32Array.from({ length: 8 }, () => next() / 0x100000000);
  return { tokens, features, label: BigInt(16777217 + i), source: i % 3 === 0 ? null : `doc-${i}` };
}

