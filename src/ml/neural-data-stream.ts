// Training data in and out of containers. Writing: records (any iterable,
// sync or async) are checked, encoded as Avro and laid into pages that are
// packed on the fly. Reading: chunks arrive verified and in order from
// readChunks and are decoded page by page into records and batches; only a
// page and a batch are in memory at a time, whatever the dataset's size.
import { pack, readChunks, type ChunkReadOptions, type ChunkReadReport, type Source, type SinkTarget } from '../api.js';
import { AbortError, ContentTypeError, type CorruptRecordsError, ValidationError } from '../errors.js';
import type { PackReport } from '../engine/main/pack.js';
import { resolveChunkSize, type PackOptions } from '../options.js';
import { PageReader, PageWriter } from './pages.js';
import { isIndexPage } from './record-index.js';
import { Batcher, resolveBatchSize, type TrainingBatch } from './training-batches.js';
import {
  DATASET_CONTENT_TYPE,
  datasetInfo,
  decodeRawRecord,
  decodeRecord,
  encodeRecord,
  parseDatasetInfo,
  resolveNanPolicy,
  resolveShape,
  type DatasetInfo,
  type NanPolicy,
  type StoredRecord,
  type TrainingRecord,
} from './records.js';

export interface WriteTrainingOptions extends Omit<PackOptions, 'contentType' | 'contentMeta'> {
  /** Shape of every record's inputs (default: [length of the first record's inputs]). */
  inputShape?: number[];
  /** Shape of every record's targets (default: [length of the first record's targets]). */
  targetShape?: number[];
  /** 'reject' (default): a NaN in a record fails the write, naming the record. 'keep': stored as is. */
  nanPolicy?: NanPolicy;
}

export interface DatasetWriteReport extends PackReport {
  records: number;
  dataset: DatasetInfo;
}

export interface ReadTrainingOptions extends Omit<ChunkReadOptions, 'corrupt'> {
  /** Records per batch (default 32); the last batch may be smaller. */
  batchSize?: number;
  /** Report (onCorrupt) and skip the records of corrupt chunks instead of failing with CorruptRecordsError. */
  skipCorrupt?: boolean;
  onCorrupt?: (err: CorruptRecordsError) => void;
  /** Checked while reading; default 'keep' (the writer's policy already applied). */
  nanPolicy?: NanPolicy;
}

export interface DatasetReadReport extends ChunkReadReport {
  records: number;
  batches: number;
  /** Records lost in corrupt chunks (skipCorrupt) and the errors naming them. */
  skippedRecords: number;
  skipped: CorruptRecordsError[];
  dataset: DatasetInfo;
}

/** An async iterable that also tells what it read. */
export interface DatasetStream<T> extends AsyncIterable<T> {
  /** The dataset description, once the header was read. */
  readonly dataset: DatasetInfo | undefined;
  /** Set when the dataset was read to its end. */
  readonly report: DatasetReadReport | undefined;
}

function iterate<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  if (typeof source === 'object' && source !== null && Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  if (typeof source === 'object' && source !== null && Symbol.iterator in source) return source[Symbol.iterator]();
  throw new ValidationError('records', 'expected an iterable or async iterable of training records');
}

/** Packs training records into a container at `sink`. */
export async function writeTrainingData(
  records: AsyncIterable<TrainingRecord> | Iterable<TrainingRecord>,
  sink: SinkTarget,
  options: WriteTrainingOptions = {},
): Promise<DatasetWriteReport> {
  const pageSize = resolveChunkSize(options.chunkSize);
  const nanPolicy = resolveNanPolicy(options.nanPolicy, 'reject');
  const it = iterate(records);
  try {
    // The shapes go into the header, which is written first: look at the first record.
    const first = options.inputShape === undefined || options.targetShape === undefined ? await it.next() : undefined;
    const head = first?.done === false ? first.value : undefined;
    const lengthOf = (v: unknown, what: string): number => {
      if (v instanceof Float32Array || Array.isArray(v)) return v.length;
      throw new ValidationError(`record 0 ${what}`, 'expected a Float32Array or an array of numbers');
    };
    const inputShape = resolveShape(options.inputShape ?? [head === undefined ? 0 : lengthOf(head.inputs, 'inputs')], 'inputShape');
    const targetShape = resolveShape(options.targetShape ?? [head === undefined ? 0 : lengthOf(head.targets, 'targets')], 'targetShape');
    const info = datasetInfo(inputShape, targetShape, nanPolicy);
    const writer = new PageWriter(pageSize);

    const pages = async function* (): AsyncGenerator<Uint8Array> {
      if (head !== undefined) yield* writer.add(encodeRecord(head, 0, info));
      if (first?.done !== true) {
        for (;;) {
          const r = await it.next();
          if (r.done === true) break;
          yield* writer.add(encodeRecord(r.value, writer.records, info));
        }
      }
      yield writer.finish();
    };

    const report = await pack(pages(), sink, { ...options, chunkSize: pageSize, contentType: DATASET_CONTENT_TYPE, contentMeta: JSON.stringify(info) });
    return { ...report, records: writer.records, dataset: info };
  } catch (err) {
    // Stopped early (bad record, abort, I/O): let the caller's iterable clean up.
    await it.return?.();
    throw err;
  }
}

type Event =
  | { kind: 'records'; records: Array<{ index: number; bytes: Uint8Array }> }
  | { kind: 'damage'; error: CorruptRecordsError };

/** Walks the container's chunks and undoes the page framing; records are views valid until the next step. */
async function* pageEvents(
  source: Source,
  options: ReadTrainingOptions,
  state: { dataset: DatasetInfo | undefined; report: ChunkReadReport | undefined },
): AsyncGenerator<Event> {
  const chunks = readChunks(source, { ...options, corrupt: 'report' });
  let reader: PageReader | undefined;
  let pagesEnded = false;
  try {
    for (;;) {
      const step = await chunks.next();
      if (step.done === true) {
        state.report = step.value;
        break;
      }
      const e = step.value;
      if (e.kind === 'header') {
        if (e.header.contentType !== DATASET_CONTENT_TYPE) throw new ContentTypeError(DATASET_CONTENT_TYPE, e.header.contentType);
        state.dataset = parseDatasetInfo(e.header.contentMeta);
        reader = new PageReader(e.header.chunkSize);
      } else if (reader === undefined) {
        throw new Error('internal: chunk before header');
      } else if (e.kind === 'corrupt') {
        reader.corrupt(e.sequence, e.error);
      } else if (pagesEnded || isIndexPage(e.bytes)) {
        // A record index (hivestream index) follows the pages: the records end there.
        pagesEnded = true;
      } else {
        const { records, damage } = reader.page(e.sequence, e.bytes, e.final);
        if (damage !== undefined) yield { kind: 'damage', error: damage };
        if (records.length > 0) yield { kind: 'records', records };
      }
    }
  } finally {
    // Left early (an error, a consumer that stopped): end the run and free its ring.
    if (state.report === undefined) await chunks.return(undefined as never);
  }
  const damage = reader?.end();
  if (damage !== undefined) yield { kind: 'damage', error: damage };
}

function datasetStream<T>(
  source: Source,
  options: ReadTrainingOptions,
  body: (events: AsyncGenerator<Event>, info: () => DatasetInfo, onDamage: (e: CorruptRecordsError) => void) => AsyncGenerator<T, { records: number; batches: number }>,
): DatasetStream<T> {
  const state: { dataset: DatasetInfo | undefined; report: ChunkReadReport | undefined } = { dataset: undefined, report: undefined };
  let report: DatasetReadReport | undefined;
  const skipped: CorruptRecordsError[] = [];
  const onDamage = (e: CorruptRecordsError): void => {
    if (options.skipCorrupt !== true) throw e;
    skipped.push(e);
    options.onCorrupt?.(e);
  };
  const info = (): DatasetInfo => {
    if (state.dataset === undefined) throw new Error('internal: records before the dataset header');
    return state.dataset;
  };
  async function* run(): AsyncGenerator<T> {
    if (options.signal?.aborted === true) throw new AbortError('operation aborted', { cause: options.signal.reason });
    const counts = yield* body(pageEvents(source, options, state), info, onDamage);
    const chunkReport = state.report;
    const dataset = state.dataset;
    if (chunkReport === undefined || dataset === undefined) throw new Error('internal: dataset read ended without a report');
    const skippedRecords = skipped.reduce((n, e) => n + (e.lastRecord ?? e.firstRecord) - e.firstRecord + 1, 0);
    report = { ...chunkReport, ...counts, skippedRecords, skipped, dataset };
  }
  return {
    [Symbol.asyncIterator]: () => run(),
    get dataset() {
      return state.dataset;
    },
    get report() {
      return report;
    },
  };
}

/** Reads a dataset back as batches, in order, verified. */
export function readTrainingBatches(source: Source, options: ReadTrainingOptions = {}): DatasetStream<TrainingBatch> {
  const batchSize = resolveBatchSize(options.batchSize);
  const nan = resolveNanPolicy(options.nanPolicy, 'keep');
  return datasetStream(source, options, async function* (events, info, onDamage) {
    let batcher: Batcher | undefined;
    let records = 0;
    for await (const e of events) {
      if (e.kind === 'damage') {
        onDamage(e.error);
        continue;
      }
      batcher ??= new Batcher(info(), batchSize);
      for (const r of e.records) {
        const raw = decodeRawRecord(r.bytes, r.index, info(), nan);
        records++;
        const full = batcher.add(r.index, raw.inputs, raw.targets, raw.label, raw.metadata);
        if (full !== undefined) yield full;
      }
    }
    const last = batcher?.flush();
    if (last !== undefined) yield last;
    return { records, batches: batcher?.sequence ?? 0 };
  });
}

/** Reads a dataset back record by record, in order, verified. */
export function readTrainingRecords(source: Source, options: ReadTrainingOptions = {}): DatasetStream<StoredRecord> {
  const nan = resolveNanPolicy(options.nanPolicy, 'keep');
  return datasetStream(source, options, async function* (events, info, onDamage) {
    let records = 0;
    for await (const e of events) {
      if (e.kind === 'damage') {
        onDamage(e.error);
        continue;
      }
      // Decode the whole page first: its bytes are only valid until the next step.
      const decoded = e.records.map((r) => decodeRecord(r.bytes, r.index, info(), nan));
      records += decoded.length;
      yield* decoded;
    }
    return { records, batches: 0 };
  });
}

/** Defaults for writing and reading one kind of dataset. */
export class NeuralDataStream {
  constructor(readonly options: WriteTrainingOptions & ReadTrainingOptions = {}) {}

  write(records: AsyncIterable<TrainingRecord> | Iterable<TrainingRecord>, sink: SinkTarget, options: WriteTrainingOptions = {}): Promise<DatasetWriteReport> {
    return writeTrainingData(records, sink, { ...this.options, ...options });
  }

  /** Batches of `batchSize` records. */
  read(source: Source, options: ReadTrainingOptions = {}): DatasetStream<TrainingBatch> {
    return readTrainingBatches(source, { ...this.options, ...options });
  }

  records(source: Source, options: ReadTrainingOptions = {}): DatasetStream<StoredRecord> {
    return readTrainingRecords(source, { ...this.options, ...options });
  }
}
