// Bad input to the ML API: arrays of the wrong length, NaN, the wrong dtype
// or content on read, corrupt chunks in the middle and at the end of a
// dataset (named, or skipped with skipCorrupt), and aborts.
import { readdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  ChecksumMismatchError,
  ContentTypeError,
  CorruptRecordsError,
  DtypeMismatchError,
  ValidationError,
  engineGauges,
  isBadInputError,
  metrics,
  pack,
  readModelWeights,
  readTrainingBatches,
  readTrainingRecords,
  streamModelWeights,
  writeTrainingData,
  type TrainingRecord,
} from '../../dist/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { flip, pagesOf, read, record, records, type PageSpot } from './helpers.js';

const tmp = tempDir('hvs-ml-bad-');
afterAll(() => tmp.cleanup());
const CHUNK = 4096;
const N = 600;

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function readAll(source: Uint8Array | string, opts: Parameters<typeof readTrainingBatches>[1] = {}): Promise<{ indices: number[]; error: unknown }> {
  const indices: number[] = [];
  try {
    for await (const b of readTrainingBatches(typeof source === 'string' ? source : [source], { batchSize: 50, workers: 2, ...opts })) indices.push(...b.indices);
    return { indices, error: undefined };
  } catch (error) {
    return { indices, error };
  }
}

function withRecord(n: number, at: number, bad: TrainingRecord): Generator<TrainingRecord> {
  return (function* () {
    for (let i = 0; i < n; i++) yield i === at ? bad : record(i, 48, 10);
  })();
}

describe('records that do not fit the dataset', () => {
  it('inputs of another length: ValidationError naming the record, and no output left', async () => {
    const dir = tempDir('hvs-ml-len-');
    const bad = { ...record(5, 48, 10), inputs: new Float32Array(47) };
    const err = await failure(writeTrainingData(withRecord(20, 5, bad), dir.path('x.hvs'), { chunkSize: CHUNK, workers: 1 }));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('record 5 inputs');
    expect((err as Error).message).toBe("invalid record 5 inputs: has 47 values; the dataset's have 48 (shape [48])");
    expect(isBadInputError(err)).toBe(true);
    expect(readdirSync(dir.dir)).toEqual([]);
    dir.cleanup();
  });

  it('targets against a declared shape, and a record that is not one', async () => {
    const err = await failure(
      writeTrainingData([{ inputs: new Float32Array(16), targets: [1, 2, 3] }], tmp.path('t.hvs'), { chunkSize: CHUNK, workers: 1, inputShape: [4, 4], targetShape: [2] }),
    );
    expect((err as Error).message).toBe("invalid record 0 targets: has 3 values; the dataset's have 2 (shape [2])");
    const err2 = await failure(writeTrainingData([{ inputs: 'no', targets: [1] } as unknown as TrainingRecord], tmp.path('t2.hvs'), { workers: 1 }));
    expect((err2 as ValidationError).field).toBe('record 0 inputs');
  });
});

describe('NaN policy', () => {
  const nanRecord = (): TrainingRecord => {
    const r = record(3, 48, 10);
    (r.inputs as Float32Array)[7] = Number.NaN;
    return r;
  };

  it("'reject' (the default) refuses the record, naming the element", async () => {
    const err = await failure(writeTrainingData(withRecord(10, 3, nanRecord()), tmp.path('nan.hvs'), { chunkSize: CHUNK, workers: 1 }));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toBe('invalid record 3 inputs[7]: is NaN (nanPolicy: reject)');
    expect(readdirSync(tmp.dir).filter((f) => f.includes('nan'))).toEqual([]);
  });

  it("'keep' stores it; reading with 'reject' names it", async () => {
    const path = tmp.path('nan-kept.hvs');
    await writeTrainingData(withRecord(10, 3, nanRecord()), path, { chunkSize: CHUNK, workers: 1, nanPolicy: 'keep' });
    const out = [];
    for await (const r of readTrainingRecords(path, { workers: 1 })) out.push(r);
    expect(Number.isNaN(out[3]?.inputs[7])).toBe(true);
    expect(out[3]?.inputs[6]).toBe(record(3, 48, 10).inputs[6]);
    const { error } = await readAll(path, { nanPolicy: 'reject' });
    expect((error as Error).message).toBe('invalid record 3 inputs[7]: is NaN (nanPolicy: reject)');
  });
});

describe('the wrong thing on read', () => {
  beforeAll(async () => {
    await streamModelWeights(new Float32Array([1, 2, 3, 4, 5, 6]), tmp.path('w32.hvs'), { shape: [2, 3], workers: 1 });
    await writeTrainingData(records(10, 4, 2), tmp.path('small-ds.hvs'), { chunkSize: CHUNK, workers: 1 });
    writeFileSync(tmp.path('plain.bin'), Buffer.alloc(1000, 1));
    await pack(tmp.path('plain.bin'), tmp.path('plain.hvs'), { workers: 1 });
  });

  it('a float32 tensor read as float64: DtypeMismatchError before any data', async () => {
    const err = await failure(readModelWeights(tmp.path('w32.hvs'), { dtype: 'float64' }));
    expect(err).toBeInstanceOf(DtypeMismatchError);
    expect((err as DtypeMismatchError).code).toBe('E_DTYPE');
    expect((err as Error).message).toBe('dtype mismatch in stored tensor: stored float32, requested float64');
    const ok = await readModelWeights(tmp.path('w32.hvs'), { dtype: 'float32', shape: [2, 3] });
    expect([...ok.data]).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(readModelWeights(tmp.path('w32.hvs'), { shape: [3, 2] })).rejects.toThrow('invalid shape: [3, 2] requested, stored tensor has [2, 3]');
  });

  it('a dataset read as weights, weights or a plain container read as a dataset: ContentTypeError', async () => {
    await expect(readModelWeights(tmp.path('small-ds.hvs'))).rejects.toThrow(ContentTypeError);
    const asDataset = await readAll(tmp.path('w32.hvs'));
    expect(asDataset.error).toBeInstanceOf(ContentTypeError);
    expect((asDataset.error as Error).message).toBe('container holds "tensor/1", expected "training-records/1" (header hivestream.content_type)');
    const plain = await readAll(tmp.path('plain.hvs'));
    expect((plain.error as Error).message).toContain('container holds no content type');
  });
});

describe('a corrupt chunk in the middle of a dataset', () => {
  let clean: Buffer;
  let pages: PageSpot[];

  beforeAll(async () => {
    await writeTrainingData(records(N, 48, 10), tmp.path('ds.hvs'), { chunkSize: CHUNK, workers: 2 });
    clean = read(tmp.path('ds.hvs'));
    pages = pagesOf(clean);
  });

  const page = (k: number): PageSpot => {
    const p = pages[k];
    if (p === undefined) throw new Error(`no page ${k}`);
    return p;
  };

  it('fails with CorruptRecordsError naming exactly the records that chunk held', async () => {
    expect(pages.length).toBeGreaterThan(20);
    const k = 10;
    const { indices, error } = await readAll(flip(clean, page(k).at + 500));
    const first = page(k).firstRecord;
    const last = page(k + 1).firstRecord - 1;
    expect(error).toBeInstanceOf(CorruptRecordsError);
    const e = error as CorruptRecordsError;
    expect([e.firstRecord, e.lastRecord, e.chunks]).toEqual([first, last, [k]]);
    expect(e.code).toBe('E_CORRUPT_RECORDS');
    expect(e.message).toMatch(new RegExp(`^records ${first}\\.\\.${last} unreadable: chunk ${k} corrupt \\(checksum mismatch in chunk ${k} `));
    expect(e.cause).toBeInstanceOf(ChecksumMismatchError);
    // Everything handed out before the error is good and comes before the damage.
    expect(indices).toEqual([...Array(indices.length).keys()]);
    expect(indices.length).toBeLessThanOrEqual(first);
    // The run behind the reader ended with the error: nothing holds a ring.
    expect(engineGauges().activeRuns).toBe(0);
    expect(metrics().runs.active).toBe(0);
  });

  it('skipCorrupt reports the records and reads everything else', async () => {
    const k = 10;
    const reported: CorruptRecordsError[] = [];
    const { indices, error } = await readAll(flip(clean, page(k).at + 500), { skipCorrupt: true, onCorrupt: (e) => reported.push(e) });
    expect(error).toBeUndefined();
    const first = page(k).firstRecord;
    const last = page(k + 1).firstRecord - 1;
    expect(reported.map((e) => [e.firstRecord, e.lastRecord])).toEqual([[first, last]]);
    const expected = [...Array(N).keys()].filter((i) => i < first || i > last);
    expect(indices).toEqual(expected);
  });

  it('two corrupt chunks in a row and a corrupt last chunk: two reports, the last one running to the end', async () => {
    const k = 4;
    const end = pages.length - 1;
    let bad = flip(clean, page(k).at + 300);
    bad = flip(bad, page(k + 1).at + 300);
    bad = flip(bad, page(end).at + 100);
    const reported: CorruptRecordsError[] = [];
    const stream = readTrainingBatches([bad], { batchSize: 50, workers: 2, skipCorrupt: true, onCorrupt: (e) => reported.push(e) });
    const indices: number[] = [];
    for await (const b of stream) indices.push(...b.indices);
    expect(reported.map((e) => [e.firstRecord, e.lastRecord, e.chunks])).toEqual([
      [page(k).firstRecord, page(k + 2).firstRecord - 1, [k, k + 1]],
      [page(end).firstRecord, undefined, [end]],
    ]);
    expect(reported[1]?.message).toMatch(new RegExp(`^records ${page(end).firstRecord} to the end unreadable: chunk ${end} corrupt`));
    expect(stream.report?.skippedRecords).toBe(page(k + 2).firstRecord - page(k).firstRecord + 1);
    expect(indices).toEqual([...Array(N).keys()].filter((i) => (i < page(k).firstRecord || i >= page(k + 2).firstRecord) && i < page(end).firstRecord));
  });

  it('an LZ4 dataset: the same records named, through the compressed chunk', async () => {
    const path = tmp.path('ds-lz4.hvs');
    await writeTrainingData(records(N, 48, 10), path, { chunkSize: CHUNK, workers: 2, compression: 'lz4' });
    const lz4 = read(path);
    const { error } = await readAll(flip(lz4, Math.floor(lz4.length / 2)));
    expect(error).toBeInstanceOf(CorruptRecordsError);
    const e = error as CorruptRecordsError;
    const k = e.chunks[0] ?? -1;
    // The framing does not depend on compression: the uncompressed twin's pages say what chunk k held.
    expect([e.firstRecord, e.lastRecord]).toEqual([page(k).firstRecord, page(k + 1).firstRecord - 1]);
  });
});

describe('aborts', () => {
  it('an aborted write leaves nothing; an aborted read stops with AbortError', async () => {
    const dir = tempDir('hvs-ml-abort-');
    const ctl = new AbortController();
    const slow = async function* (): AsyncGenerator<TrainingRecord> {
      for (let i = 0; ; i++) {
        if (i === 200) ctl.abort(new Error('user cancelled'));
        yield record(i, 48, 10);
        await Promise.resolve();
      }
    };
    const err = await failure(writeTrainingData(slow(), dir.path('a.hvs'), { chunkSize: CHUNK, workers: 1, signal: ctl.signal }));
    expect(err).toBeInstanceOf(AbortError);
    expect(readdirSync(dir.dir)).toEqual([]);
    dir.cleanup();

    await writeTrainingData(records(N, 48, 10), tmp.path('ab.hvs'), { chunkSize: CHUNK, workers: 1 });
    const rctl = new AbortController();
    const { indices, error } = await readAll(tmp.path('ab.hvs'), {
      signal: rctl.signal,
      ringSlots: 4,
      onProgress: () => rctl.abort(),
      progressIntervalMs: 0,
    });
    expect(error).toBeInstanceOf(AbortError);
    expect(indices.length).toBeLessThan(N);
  });
});
