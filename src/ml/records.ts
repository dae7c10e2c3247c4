// Training records: the Avro schema, the dataset description written into
// the container header, and encoding/decoding of one record with its checks
// (array lengths against the dataset's shapes, the NaN policy).
//
// Float arrays are Avro `bytes` holding float32 little-endian values rather
// than array<float>: one copy per array each way instead of a JS number per
// element, and the bytes are the layout ML frameworks load directly.
import { endianness } from 'node:os';
import avro from 'avsc';
import { FormatError, ValidationError } from '../errors.js';
import { elements, resolveTensorShape } from './dtypes.js';

export const DATASET_CONTENT_TYPE = 'training-records/1';

export const TRAINING_RECORD_SCHEMA = {
  type: 'record',
  name: 'TrainingRecord',
  namespace: 'hivestream',
  fields: [
    { name: 'inputs', type: 'bytes' },
    { name: 'targets', type: 'bytes' },
    { name: 'label', type: ['null', 'string'], default: null },
    { name: 'metadata', type: { type: 'map', values: 'string' }, default: {} },
  ],
} as const;

const recordType = avro.Type.forSchema(JSON.parse(JSON.stringify(TRAINING_RECORD_SCHEMA)) as avro.Schema);

/** Keep NaN values as they are, or refuse a record that holds one. */
export type NanPolicy = 'keep' | 'reject';

/** A record as the caller gives it. */
export interface TrainingRecord {
  inputs: Float32Array | readonly number[];
  targets: Float32Array | readonly number[];
  label?: string | null;
  metadata?: Record<string, string>;
}

/** A record as it is read back. */
export interface StoredRecord {
  /** Position of the record in the dataset, from 0. */
  index: number;
  inputs: Float32Array;
  targets: Float32Array;
  label: string | null;
  metadata: Record<string, string>;
}

/** What hivestream.content_meta says about a dataset. */
export interface DatasetInfo {
  version: 1;
  /** The Avro schema of each record. */
  schema: typeof TRAINING_RECORD_SCHEMA;
  /** How records sit in chunks: see docs/ML.md. */
  framing: 'pages/1';
  dtype: 'float32';
  byteOrder: 'little';
  inputShape: number[];
  targetShape: number[];
  /** The policy the writer applied. */
  nanPolicy: NanPolicy;
}

/** Shape of a record's inputs or targets: 1 to 16 dimensions. */
export function resolveShape(value: unknown, field: string): number[] {
  return resolveTensorShape(value, field, 1);
}

export { elements };

export function resolveNanPolicy(value: unknown, fallback: NanPolicy): NanPolicy {
  if (value === undefined) return fallback;
  if (value === 'keep' || value === 'reject') return value;
  throw new ValidationError('nanPolicy', `${JSON.stringify(value)} is not 'keep' or 'reject'`);
}

export function datasetInfo(inputShape: number[], targetShape: number[], nanPolicy: NanPolicy): DatasetInfo {
  return { version: 1, schema: TRAINING_RECORD_SCHEMA, framing: 'pages/1', dtype: 'float32', byteOrder: 'little', inputShape, targetShape, nanPolicy };
}

/** Parses hivestream.content_meta of a dataset; the header was checked to be training-records/1. */
export function parseDatasetInfo(text: string | undefined): DatasetInfo {
  const bad = (reason: string, cause?: unknown): never => {
    throw new FormatError(`bad dataset description: ${reason}`, { field: 'hivestream.content_meta' }, { cause });
  };
  if (text === undefined) return bad('missing');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    return bad('not JSON', cause);
  }
  if (typeof raw !== 'object' || raw === null) return bad('not an object');
  const o = raw as Record<string, unknown>;
  if (o.version !== 1 || o.framing !== 'pages/1' || o.dtype !== 'float32' || o.byteOrder !== 'little') {
    return bad(`unsupported version, framing, dtype or byte order (${JSON.stringify([o.version, o.framing, o.dtype, o.byteOrder])})`);
  }
  if (JSON.stringify(o.schema) !== JSON.stringify(TRAINING_RECORD_SCHEMA)) return bad('record schema is not hivestream.TrainingRecord');
  try {
    return datasetInfo(resolveShape(o.inputShape, 'inputShape'), resolveShape(o.targetShape, 'targetShape'), resolveNanPolicy(o.nanPolicy, 'keep'));
  } catch (cause) {
    return bad(cause instanceof Error ? cause.message : String(cause), cause);
  }
}

const bigEndian = endianness() === 'BE';

/** The float32 values of one array as little-endian bytes (a view when the platform is little-endian). */
function floatBytes(values: unknown, what: string, expected: number, shape: readonly number[], nan: NanPolicy): Buffer {
  let f: Float32Array;
  if (values instanceof Float32Array) f = values;
  else if (Array.isArray(values) && values.every((v) => typeof v === 'number')) f = Float32Array.from(values);
  else throw new ValidationError(what, 'expected a Float32Array or an array of numbers');
  if (f.length !== expected) {
    throw new ValidationError(what, `has ${f.length} values; the dataset's have ${expected} (shape [${shape.join(', ')}])`);
  }
  if (nan === 'reject') {
    const at = f.findIndex(Number.isNaN);
    if (at >= 0) throw new ValidationError(`${what}[${at}]`, 'is NaN (nanPolicy: reject)');
  }
  const bytes = Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  return bigEndian ? Buffer.from(bytes).swap32() : bytes;
}

/** Checks one record against the dataset and encodes it as Avro. */
export function encodeRecord(rec: TrainingRecord, index: number, info: DatasetInfo): Buffer {
  const where = `record ${index}`;
  if (typeof rec !== 'object' || rec === null) throw new ValidationError(where, 'expected an object with inputs and targets');
  const inputs = floatBytes(rec.inputs, `${where} inputs`, elements(info.inputShape), info.inputShape, info.nanPolicy);
  const targets = floatBytes(rec.targets, `${where} targets`, elements(info.targetShape), info.targetShape, info.nanPolicy);
  const label = rec.label ?? null;
  if (label !== null && typeof label !== 'string') throw new ValidationError(`${where} label`, 'expected a string or null');
  const metadata = rec.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw new ValidationError(`${where} metadata`, 'expected an object of string values');
  }
  return recordType.toBuffer({ inputs, targets, label, metadata });
}

interface RawRecord {
  inputs: Buffer;
  targets: Buffer;
  label: string | null;
  metadata: Record<string, string>;
}

/**
 * Decodes one record. `inputs` and `targets` are views into `bytes`: copy
 * them (copyFloats) before `bytes` goes away.
 */
export function decodeRawRecord(bytes: Uint8Array, index: number, info: DatasetInfo, nan: NanPolicy): RawRecord {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let raw: RawRecord;
  try {
    raw = recordType.fromBuffer(buf) as RawRecord;
  } catch (cause) {
    throw new FormatError(`record ${index} is not a valid hivestream.TrainingRecord`, { field: `record ${index}` }, { cause });
  }
  const check = (b: Buffer, name: string, shape: number[]): void => {
    if (b.length !== elements(shape) * 4) {
      throw new FormatError(`record ${index} ${name} holds ${b.length} bytes, the dataset's shape [${shape.join(', ')}] needs ${elements(shape) * 4}`, { field: `record ${index} ${name}` });
    }
    if (nan === 'reject') {
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < b.length; i += 4) {
        if (Number.isNaN(dv.getFloat32(i, true))) throw new ValidationError(`record ${index} ${name}[${i / 4}]`, 'is NaN (nanPolicy: reject)');
      }
    }
  };
  check(raw.inputs, 'inputs', info.inputShape);
  check(raw.targets, 'targets', info.targetShape);
  return raw;
}

/** Copies little-endian float32 bytes into `dst` at element `at`. */
export function copyFloats(dst: Float32Array, at: number, src: Uint8Array): void {
  const view = new Uint8Array(dst.buffer, dst.byteOffset + at * 4, src.length);
  view.set(src);
  if (bigEndian) Buffer.from(view.buffer, view.byteOffset, view.byteLength).swap32();
}

export function decodeRecord(bytes: Uint8Array, index: number, info: DatasetInfo, nan: NanPolicy): StoredRecord {
  const raw = decodeRawRecord(bytes, index, info, nan);
  const inputs = new Float32Array(raw.inputs.length / 4);
  const targets = new Float32Array(raw.targets.length / 4);
  copyFloats(inputs, 0, raw.inputs);
  copyFloats(targets, 0, raw.targets);
  return { index, inputs, targets, label: raw.label, metadata: { ...raw.metadata } };
}
