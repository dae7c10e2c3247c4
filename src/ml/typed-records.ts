// Typed datasets: the declaration in the header (content type
// training-records/2), records framed in pages (pages/1, as float32
// datasets) and the record index after them (record-index.ts). Float32
// datasets (training-records/1) read through the same code: their four
// fields are a declaration like any other.
import { pack, type SinkTarget } from '../api.js';
import { ContentTypeError, FormatError } from '../errors.js';
import type { PackReport } from '../api.js';
import { resolveChunkSize, type PackOptions } from '../options.js';
import { avroSchema, fieldsFromJson, fieldsToJson, resolveFields, type Field, type FieldSpec } from './fields.js';
import { encodeIndex, INDEX_KIND } from './record-index.js';
import { PageWriter } from './pages.js';
import { DATASET_CONTENT_TYPE, parseDatasetInfo } from './records.js';
import { encodeTyped } from './typed-codec.js';

export const TYPED_CONTENT_TYPE = 'training-records/2';

/** What the header says about a dataset, whichever version wrote it. */
export interface TypedDatasetInfo {
  contentType: typeof TYPED_CONTENT_TYPE | typeof DATASET_CONTENT_TYPE;
  /** The writer's declaration. */
  fields: Field[];
  /** 'trailer/1' when a record index follows the pages. */
  index: typeof INDEX_KIND | undefined;
}

export interface WriteRecordsOptions extends Omit<PackOptions, 'contentType' | 'contentMeta'> {
  fields: FieldSpec[];
}

export interface RecordsWriteReport extends PackReport {
  records: number;
  fields: Field[];
}

/** The declaration of a float32 dataset (training-records/1), as typed fields. */
function legacyFields(inputShape: number[], targetShape: number[]): Field[] {
  const base = { optional: false, default: undefined, aliases: [] };
  return [
    { ...base, name: 'inputs', dtype: 'float32', shape: inputShape },
    { ...base, name: 'targets', dtype: 'float32', shape: targetShape },
    { ...base, name: 'label', dtype: 'string', shape: [], optional: true },
    { ...base, name: 'metadata', dtype: 'map', shape: [] },
  ];
}

export function typedMeta(fields: readonly Field[]): string {
  return JSON.stringify({ version: 2, framing: 'pages/1', byteOrder: 'little', index: INDEX_KIND, fields: fieldsToJson(fields), schema: avroSchema(fields) });
}

/** Reads the dataset description of a v1 or v2 dataset header. */
export function parseTypedInfo(contentType: string | undefined, contentMeta: string | undefined): TypedDatasetInfo {
  if (contentType === DATASET_CONTENT_TYPE) {
    const v1 = parseDatasetInfo(contentMeta);
    const index = (JSON.parse(contentMeta ?? '{}') as { index?: unknown }).index === INDEX_KIND ? INDEX_KIND : undefined;
    return { contentType, fields: legacyFields(v1.inputShape, v1.targetShape), index };
  }
  if (contentType !== TYPED_CONTENT_TYPE) throw new ContentTypeError(TYPED_CONTENT_TYPE, contentType);
  let o: Record<string, unknown> | undefined;
  try {
    const raw: unknown = JSON.parse(contentMeta ?? 'null');
    if (typeof raw === 'object' && raw !== null) o = raw as Record<string, unknown>;
  } catch (cause) {
    throw new FormatError('bad dataset description: not JSON', { field: 'hivestream.content_meta' }, { cause });
  }
  if (o?.version !== 2 || o.framing !== 'pages/1' || o.byteOrder !== 'little' || (o.index !== undefined && o.index !== INDEX_KIND)) {
    throw new FormatError(`bad dataset description: unsupported version, framing, byte order or index (${JSON.stringify([o?.version, o?.framing, o?.byteOrder, o?.index])})`, { field: 'hivestream.content_meta' });
  }
  return { contentType, fields: fieldsFromJson(o.fields), index: o.index === INDEX_KIND ? INDEX_KIND : undefined };
}

/** A growing list of u32. */
class U32List {
  private buf = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }
  view(): Uint32Array {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Records in (encoded by `encode`, in the same loop: one async layer per
 * record), pages and then the record index out: the raw stream of an
 * indexed dataset.
 */
export async function* indexedPages<T>(
  records: AsyncIterable<T> | Iterable<T>,
  encode: (record: T, index: number) => Uint8Array,
  chunkSize: number,
  counts: { records: number },
): AsyncGenerator<Uint8Array> {
  const writer = new PageWriter(chunkSize);
  const positions = new U32List();
  for await (const record of records) {
    const pages = writer.add(encode(record, positions.length));
    positions.push(writer.lastPosition);
    if (pages.length > 0) yield* pages;
  }
  yield writer.finish(true);
  counts.records = positions.length;
  yield encodeIndex({ records: positions.length, firsts: Float64Array.from(writer.firsts), positions: positions.view() }, writer.firsts.length * chunkSize);
}

/** Writes typed records (any iterable, sync or async) into an indexed dataset container. */
export async function writeRecords(records: AsyncIterable<unknown> | Iterable<unknown>, sink: SinkTarget, options: WriteRecordsOptions): Promise<RecordsWriteReport> {
  const fields = resolveFields(options.fields);
  const { fields: _f, ...packOptions } = options;
  const chunkSize = resolveChunkSize(options.chunkSize);
  const counts = { records: 0 };
  const encode = (r: unknown, i: number): Uint8Array => encodeTyped(r, i, fields);
  const report = await pack(indexedPages(records, encode, chunkSize, counts), sink, { ...packOptions, chunkSize, contentType: TYPED_CONTENT_TYPE, contentMeta: typedMeta(fields) });
  return { ...report, records: counts.records, fields };
}
