// Training data round trips: records in, batches and records out, in order
// and verified; the page framing; datasets that are only ever streamed.
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NeuralDataStream,
  PageReader,
  PageWriter,
  PAGE_HEADER,
  engineGauges,
  inspect,
  readTrainingBatches,
  readTrainingRecords,
  verify,
  writeTrainingData,
  type TrainingBatch,
} from '../../dist/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { pagesOf, read, record, records } from './helpers.js';

const tmp = tempDir('hvs-ml-records-');
afterAll(() => tmp.cleanup());
const CHUNK = 4096;

describe('NeuralDataStream round trip', () => {
  it.each(['none', 'lz4'] as const)('1000 records of 48 inputs and 10 targets come back in order, exact (compression=%s)', async (compression) => {
    const path = tmp.path(`ds-${compression}.hvs`);
    const w = await writeTrainingData(records(1000, 48, 10), path, { chunkSize: CHUNK, compression, workers: 2 });
    expect(w.records).toBe(1000);
    expect(w.dataset.inputShape).toEqual([48]);
    expect(w.dataset.targetShape).toEqual([10]);
    expect(w.chunks).toBeGreaterThan(50);
    const header = await inspect(path);
    expect(header.metadata['hivestream.content_type']).toBe('training-records/1');
    await verify(path, { workers: 2 });

    const stream = readTrainingBatches(path, { batchSize: 64, workers: 2 });
    const batches: TrainingBatch[] = [];
    for await (const b of stream) batches.push(b);
    expect(batches.map((b) => b.sequence)).toEqual([...Array(16).keys()]);
    expect(batches.map((b) => b.indices.length)).toEqual([...Array<number>(15).fill(64), 1000 - 15 * 64]);
    let i = 0;
    for (const b of batches) {
      const rows = b.indices.length;
      expect(b.inputShape).toEqual([rows, 48]);
      expect(b.targetShape).toEqual([rows, 10]);
      expect(b.inputs.length).toBe(rows * 48);
      for (let r = 0; r < rows; r++, i++) {
        const want = record(i, 48, 10);
        expect(b.indices[r]).toBe(i);
        expect(b.inputs.subarray(r * 48, r * 48 + 48)).toEqual(want.inputs);
        expect(b.targets.subarray(r * 10, r * 10 + 10)).toEqual(want.targets);
        expect(b.labels[r]).toBe(want.label);
        expect(b.metadata[r]).toEqual(want.metadata);
      }
    }
    expect(i).toBe(1000);
    expect(stream.report?.records).toBe(1000);
    expect(stream.report?.batches).toBe(16);
    expect(stream.report?.verified).toBe(true);
    expect(stream.report?.rootDigest).toBe(w.rootDigest);
    expect(stream.dataset?.inputShape).toEqual([48]);
  });

  it('the class, declared shapes, number arrays and single records', async () => {
    const ds = new NeuralDataStream({ chunkSize: CHUNK, workers: 1, inputShape: [2, 3], targetShape: [1] });
    const recs = [
      { inputs: [1, 2, 3, 4, 5, 6], targets: [0.5] },
      { inputs: new Float32Array([6, 5, 4, 3, 2, 1]), targets: [-1], label: 'b', metadata: { k: 'v' } },
    ];
    const path = tmp.path('class.hvs');
    await ds.write(recs, path);
    const out = [];
    for await (const r of ds.records(path)) out.push(r);
    expect(out.map((r) => [r.index, [...r.inputs], [...r.targets], r.label, r.metadata])).toEqual([
      [0, [1, 2, 3, 4, 5, 6], [0.5], null, {}],
      [1, [6, 5, 4, 3, 2, 1], [-1], 'b', { k: 'v' }],
    ]);
    for await (const b of ds.read(path, { batchSize: 10 })) expect(b.inputShape).toEqual([2, 2, 3]);
  });

  it('an empty dataset reads back as no batches', async () => {
    const path = tmp.path('empty.hvs');
    const w = await writeTrainingData([], path, { chunkSize: CHUNK, workers: 1, inputShape: [4], targetShape: [1] });
    expect(w.records).toBe(0);
    const stream = readTrainingBatches(path, { workers: 1 });
    for await (const b of stream) throw new Error(`unexpected batch ${b.sequence}`);
    expect(stream.report?.records).toBe(0);
  });

  it('records larger than a chunk span pages and come back whole', async () => {
    const path = tmp.path('big.hvs');
    // 3000 floats = 12 KB per record, three 4 KiB pages each; small ones in between.
    const mixed = function* () {
      for (let i = 0; i < 9; i++) yield i % 3 === 1 ? { inputs: new Float32Array(3000).fill(i), targets: [i] } : { inputs: new Float32Array(3000).fill(-i), targets: [i] };
    };
    await writeTrainingData(mixed(), path, { chunkSize: CHUNK, workers: 2 });
    const pages = pagesOf(read(path));
    expect(pages.length).toBeGreaterThan(9 * 2);
    const out = [];
    for await (const r of readTrainingRecords(path, { workers: 2 })) out.push(r);
    expect(out.map((r) => r.index)).toEqual([...Array(9).keys()]);
    for (const r of out) expect(r.inputs.every((v) => v === (r.index % 3 === 1 ? r.index : -r.index))).toBe(true);
  });
});

describe('record pages', () => {
  it('records never straddle pages unless larger than one; headers say which records a page holds', () => {
    const w = new PageWriter(4096);
    const pages: Uint8Array[] = [];
    const sizes = [1000, 1000, 1000, 1000, 5000, 10, 4000, 3];
    sizes.forEach((n, i) => pages.push(...w.add(new Uint8Array(n).fill(i + 1))));
    pages.push(w.finish());
    const heads = pages.map((p) => {
      const b = Buffer.from(p);
      return { flags: b.readUInt16LE(6), first: b.readUInt32LE(8), count: b.readUInt32LE(16), used: b.readUInt32LE(20), length: p.length };
    });
    // Page 0: records 0-3, then record 4 (larger than a page) starts in what is left and spans two more.
    expect(heads[0]).toMatchObject({ flags: 0, first: 0, count: 5, used: 4096 - PAGE_HEADER, length: 4096 });
    expect(heads[1]).toMatchObject({ flags: 1, first: 5, count: 0, used: 4096 - PAGE_HEADER, length: 4096 });
    // Page 2: the rest of record 4, record 5; record 6 would not fit, so it starts page 3 (no straddling).
    expect(heads[2]).toMatchObject({ flags: 1, first: 5, count: 1, used: 4 + (5000 - 52 - 4068) + 4 + 10, length: 4096 });
    expect(heads[3]).toMatchObject({ flags: 0, first: 6, count: 2, used: 4004 + 7, length: PAGE_HEADER + 4011 });
    expect(heads).toHaveLength(4);
    const reader = new PageReader(4096);
    const got: Array<[number, number, number]> = [];
    pages.forEach((p, k) => {
      for (const r of reader.page(k, p, k === pages.length - 1).records) got.push([r.index, r.bytes.length, r.bytes[0] ?? 0]);
    });
    expect(got).toEqual(sizes.map((n, i) => [i, n, i + 1]));
  });
});

describe('streamed, never held whole', () => {
  it('writing pulls records only as the container is written; reading pulls the container only as batches are taken', async () => {
    const path = tmp.path('lazy.hvs');
    const counter = { produced: 0 };
    // 10 000 records of 256 floats: about 10 MiB of records.
    await writeTrainingData(records(10_000, 256, 4, counter), path, { chunkSize: '64KiB', workers: 2, ringSlots: 8 });
    expect(counter.produced).toBe(10_000);

    // Read from a stream of the container with a counter of bytes handed out.
    const container = read(path);
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (let at = 0; at < container.length; at += 65536) {
          pulled += Math.min(65536, container.length - at);
          yield container.subarray(at, at + 65536);
        }
      })(),
      { objectMode: false, highWaterMark: 65536 },
    );
    const stream = readTrainingBatches(source, { batchSize: 32, workers: 2, ringSlots: 8 });
    let seen = 0;
    for await (const b of stream) {
      seen += b.indices.length;
      if (seen >= 64) break;
    }
    // Two batches read: only the ring's worth (8 x 64 KiB) and stream buffers were pulled, not 10 MiB.
    expect(pulled).toBeLessThan(2 * 1024 * 1024);
    expect(container.length).toBeGreaterThan(10 * 1024 * 1024);
    // Leaving the loop ended the run.
    expect(engineGauges().activeRuns).toBe(0);
  });
});
