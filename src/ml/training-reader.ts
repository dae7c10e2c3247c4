// Training reads: an epoch's records for one partition (rank x worker), in
// file order or shuffled by seed and epoch, resumable mid-epoch.
//
// - A file with a record index: the order is a full permutation (shuffle.ts);
//   the partition's positions are read a window at a time, each page that
//   holds some of them decoded once per window.
// - Anything else (a stream, a file without an index): records in file order
//   (every chunk verified by readChunks), the partition's blocks kept, and a
//   bounded shuffle buffer; resuming replays the epoch up to the position.
//
// state() is plain JSON; resume(state) (the `resume` option) continues the
// same partition of the same epoch with exactly the records not yet yielded.
import { readChunks, type ChunkReadOptions, type Source } from '../api.js';
import { ValidationError } from '../errors.js';
import type { ChunkFileOptions } from './chunk-file.js';
import { Dataset } from './dataset.js';
import { resolve, resolveFields, type FieldSpec } from './fields.js';
import { PageReader } from './pages.js';
import { isIndexPage } from './record-index.js';
import { epochSeed, partitionPositions, partitionSize, permutation, randomStream, resolvePartition, type Partition, type PartitionOptions } from './shuffle.js';
import { decodeTyped, type TypedRecord } from './typed-codec.js';
import { parseTypedInfo } from './typed-records.js';

export interface ReadRecordsOptions extends PartitionOptions, Omit<ChunkReadOptions, 'corrupt'>, ChunkFileOptions {
  /** The reader's declaration (default: the writer's). */
  fields?: FieldSpec[];
  /** Shuffle the epoch (default false). */
  shuffle?: boolean;
  seed?: number;
  epoch?: number;
  /** Without an index: records held to shuffle (default 4096). */
  shuffleBuffer?: number;
  /** With an index: positions read per window (default 65536; the window's records are held decoded). */
  windowRecords?: number;
  /** A state() from an earlier run of the same partition: continue after it. */
  resume?: ReaderState;
}

/** Where a partition's epoch stands; JSON. */
export interface ReaderState {
  version: 1;
  mode: 'index' | 'stream';
  seed: number;
  epoch: number;
  shuffle: boolean;
  shuffleBuffer: number;
  part: number;
  parts: number;
  blockSize: number;
  /** Records this partition has yielded in this epoch. */
  position: number;
}

export interface IndexedRecord {
  /** The record's number in the dataset. */
  index: number;
  record: TypedRecord;
}

export interface RecordReader extends AsyncIterable<IndexedRecord> {
  state(): ReaderState;
  /** Records this partition yields in the epoch (known with an index; else undefined). */
  readonly length: number | undefined;
}

function checkResume(s: ReaderState | undefined, fresh: ReaderState): number {
  if (s === undefined) return 0;
  const same = (['version', 'mode', 'seed', 'epoch', 'shuffle', 'shuffleBuffer', 'part', 'parts', 'blockSize'] as const).every((k) => s[k] === fresh[k]);
  if (!same || !Number.isSafeInteger(s.position) || s.position < 0) {
    throw new ValidationError('resume', `state ${JSON.stringify(s)} is not of this reader (${JSON.stringify({ ...fresh, position: undefined })})`);
  }
  return s.position;
}

function seedOf(v: number | undefined, field: string): number {
  const n = v ?? 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError(field, `${String(v)} is not a non-negative whole number`);
  return n;
}

/** Reads a dataset for training: one partition of one epoch, optionally shuffled, resumable. */
export function readRecords(source: Source, options: ReadRecordsOptions = {}): RecordReader {
  const partition = resolvePartition(options);
  const seed = seedOf(options.seed, 'seed');
  const epoch = seedOf(options.epoch, 'epoch');
  const shuffle = options.shuffle === true;
  const shuffleBuffer = seedOf(options.shuffleBuffer ?? 4096, 'shuffleBuffer');
  // The index serves shuffles and partitions (each reads only its records); one reader
  // of the whole file in order goes faster through readChunks (the worker pool decodes).
  const random = shuffle || partition.parts > 1;
  // Opened here to learn whether it has an index (and its length), closed at once:
  // each iteration opens its own, so an iterator never started holds no file.
  const probe = typeof source === 'string' && random ? Dataset.open(source, options) : undefined;
  const records = probe?.hasIndex === true ? probe.length : undefined;
  probe?.close();
  const indexed = records !== undefined && typeof source === 'string';
  const base: ReaderState = { version: 1, mode: indexed ? 'index' : 'stream', seed, epoch, shuffle, shuffleBuffer: indexed ? 0 : shuffleBuffer, ...partition, position: 0 };
  // Records yielded so far: the readers count it themselves (no extra async layer per record).
  const progress = { position: checkResume(options.resume, base) };
  const order = shuffle ? epochSeed(seed, epoch) : undefined;
  return {
    [Symbol.asyncIterator]: () =>
      indexed
        ? fromIndex(() => Dataset.open(source, options), partition, order, progress, options.windowRecords ?? 65536)
        : fromStream(source, options, partition, order, shuffleBuffer, progress),
    state: () => ({ ...base, position: progress.position }),
    length: records === undefined ? undefined : partitionSize(records, partition),
  };
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async generator, the same interface as the stream reader
async function* fromIndex(open: () => Dataset, p: Partition, seed: number | undefined, progress: { position: number }, window: number): AsyncGenerator<IndexedRecord> {
  const ds = open();
  try {
    const n = ds.length;
    const order = seed === undefined ? undefined : permutation(n, seed);
    const index = (pos: number): number => (order === undefined ? pos : (order[pos] ?? 0));
    let batch: number[] = [];
    const flush = function* (): Generator<IndexedRecord> {
      // Page by page, so each page is decoded once per window; then in order.
      const byPage = [...batch].sort((a, b) => a - b);
      const decoded = new Map<number, TypedRecord>();
      for (const i of byPage) decoded.set(i, ds.get(i));
      for (const i of batch) {
        progress.position++;
        yield { index: i, record: decoded.get(i) ?? ds.get(i) };
      }
      batch = [];
    };
    for (const pos of partitionPositions(n, p, progress.position)) {
      batch.push(index(pos));
      if (batch.length >= window) yield* flush();
    }
    yield* flush();
  } finally {
    ds.close();
  }
}

async function* fromStream(source: Source, options: ReadRecordsOptions, p: Partition, seed: number | undefined, bufferSize: number, progress: { position: number }): AsyncGenerator<IndexedRecord> {
  const skip = progress.position;
  const random = seed === undefined ? undefined : randomStream((seed ^ mix(p.part)) >>> 0);
  const buffer: IndexedRecord[] = [];
  let emitted = 0;
  const emit = function* (r: IndexedRecord): Generator<IndexedRecord> {
    if (emitted++ >= skip) {
      progress.position++;
      yield r;
    }
  };
  let reader: PageReader | undefined;
  let plan: ReturnType<typeof resolve> | undefined;
  let data = true;
  for await (const e of readChunks(source, { ...options, corrupt: 'throw' })) {
    if (e.kind === 'header') {
      const info = parseTypedInfo(e.header.contentType, e.header.contentMeta);
      plan = resolve(info.fields, options.fields === undefined ? undefined : resolveFields(options.fields));
      reader = new PageReader(e.header.chunkSize);
      continue;
    }
    if (e.kind !== 'chunk' || reader === undefined || plan === undefined || !data) continue;
    // The record index follows the pages: the data ends at its first page.
    if (isIndexPage(e.bytes)) {
      data = false;
      continue;
    }
    const { records } = reader.page(e.sequence, e.bytes, e.final);
    for (const r of records) {
      if (Math.floor(r.index / p.blockSize) % p.parts !== p.part) continue;
      const rec = { index: r.index, record: decodeTyped(r.bytes, r.index, plan) };
      if (random === undefined || bufferSize === 0) {
        yield* emit(rec);
      } else if (buffer.length < bufferSize) {
        buffer.push(rec);
      } else {
        const j = random() % bufferSize;
        const out = buffer[j];
        buffer[j] = rec;
        if (out !== undefined) yield* emit(out);
      }
    }
  }
  while (buffer.length > 0 && random !== undefined) {
    const j = random() % buffer.length;
    const out = buffer[j];
    const last = buffer.pop();
    if (last !== undefined && j < buffer.length) buffer[j] = last;
    if (out !== undefined) yield* emit(out);
  }
}

function mix(part: number): number {
  return Math.imul(part + 1, 0x85ebca6b) >>> 0;
}
