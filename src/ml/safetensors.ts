// The safetensors layout, which is also the raw stream of a checkpoint
// container: u64 little-endian header size N, N bytes of JSON
// ({"__metadata__": {..}, "name": {"dtype", "shape", "data_offsets"}, ...},
// padded with spaces), then the tensors' bytes back to back. Parsing checks
// everything against the byte count before anything is allocated for it:
// N within the limit and the file, offsets contiguous from 0 and ending
// exactly at the end, each tensor's byte count equal to its shape's.
// Per-tensor metadata (safetensors has none) travels in __metadata__ under
// one reserved key, so any safetensors reader still opens the file.
import { FormatError, FrameTooLargeError, TruncatedStreamError, ValidationError } from '../errors.js';
import { byteLengthOf, dtypeFromSafetensors, DTYPE_INFO, resolveTensorShape, type Dtype } from './dtypes.js';

/** safetensors' own limit on the JSON header. */
export const SAFETENSORS_MAX_HEADER = 100_000_000;
/** Key in __metadata__ holding per-tensor metadata as JSON: {"tensor name": {"key": "value"}}. */
export const TENSOR_METADATA_KEY = 'hivestream.tensor_metadata';

export interface TensorEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte range in the data section (after the header). */
  begin: number;
  end: number;
  metadata: Record<string, string>;
}

export interface SafetensorsLayout {
  /** Bytes before the first tensor: 8 + the JSON header's length. */
  dataOffset: number;
  /** Tensors in the order of their data. */
  tensors: TensorEntry[];
  /** File-level metadata (__metadata__ without the per-tensor key). */
  metadata: Record<string, string>;
  /** Total bytes: dataOffset + every tensor's bytes. */
  byteLength: number;
}

const where = (field: string): { field: string } => ({ field: `safetensors ${field}` });

/** Reads N from the first 8 bytes and checks it against the limit and the total size. */
export function headerLength(first: Uint8Array, totalSize: number, limit = SAFETENSORS_MAX_HEADER): number {
  if (totalSize < 8 || first.length < 8) throw new TruncatedStreamError(first.length, `safetensors data of ${totalSize} bytes ends inside the 8-byte header size`);
  const dv = new DataView(first.buffer, first.byteOffset, 8);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 0x100000000;
  if (n > limit) throw new FrameTooLargeError('safetensors header', n, limit, 0);
  if (8 + n > totalSize) throw new TruncatedStreamError(totalSize, `safetensors header claims ${n} bytes, the data holds ${totalSize - 8} after the size`);
  if (n < 2) throw new FormatError(`safetensors header of ${n} bytes cannot hold a JSON object`, { offset: 0, ...where('header size') });
  return n;
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError(`${what} is not an object of strings`, where(what));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new FormatError(`${what} value of ${JSON.stringify(k)} is not a string`, where(what));
    out[k] = v;
  }
  return out;
}

/** Parses and validates the JSON header; `totalSize` is the size of the whole safetensors data. */
export function parseLayout(json: Uint8Array, totalSize: number): SafetensorsLayout {
  const dataOffset = 8 + json.length;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (cause) {
    throw new FormatError('safetensors header is not UTF-8 JSON', { offset: 8, ...where('header') }, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FormatError('safetensors header is not a JSON object', { offset: 8, ...where('header') });
  let metadata: Record<string, string> = {};
  let perTensor: Record<string, unknown> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = stringMap(value, '__metadata__');
      const extra = metadata[TENSOR_METADATA_KEY];
      if (extra !== undefined) {
        try {
          perTensor = JSON.parse(extra) as Record<string, unknown>;
        } catch (cause) {
          throw new FormatError(`__metadata__ ${TENSOR_METADATA_KEY} is not JSON`, where('__metadata__'), { cause });
        }
        if (typeof perTensor !== 'object' || perTensor === null) throw new FormatError(`__metadata__ ${TENSOR_METADATA_KEY} is not an object`, where('__metadata__'));
        delete metadata[TENSOR_METADATA_KEY];
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) throw new FormatError(`tensor ${JSON.stringify(name)} is not an object`, where(name));
    const t = value as Record<string, unknown>;
    const dtype = typeof t.dtype === 'string' ? dtypeFromSafetensors(t.dtype) : undefined;
    if (dtype === undefined) throw new FormatError(`tensor ${JSON.stringify(name)} has dtype ${JSON.stringify(t.dtype)}, not one hivestream stores (${Object.values(DTYPE_INFO).map((d) => d.safetensors).join(', ')})`, where(name));
    let shape: number[];
    try {
      shape = resolveTensorShape(t.shape, 'shape');
    } catch (cause) {
      throw new FormatError(`tensor ${JSON.stringify(name)} has a bad shape ${JSON.stringify(t.shape)}`, where(name), { cause });
    }
    const offsets = t.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
      throw new FormatError(`tensor ${JSON.stringify(name)} has bad data_offsets ${JSON.stringify(offsets)}`, where(name));
    }
    const [begin, end] = offsets as [number, number];
    const need = byteLengthOf(dtype, shape);
    if (end - begin !== need) throw new FormatError(`tensor ${JSON.stringify(name)} spans ${end - begin} bytes; shape [${shape.join(', ')}] of ${dtype} needs ${need}`, where(name));
    tensors.push({ name, dtype, shape, begin, end, metadata: {} });
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of tensors) {
    if (t.begin !== at) throw new FormatError(`tensor ${JSON.stringify(t.name)} starts at data byte ${t.begin}, expected ${at} (tensors must cover the data without gaps or overlaps)`, where(t.name));
    at = t.end;
    const m = perTensor[t.name];
    if (m !== undefined) t.metadata = stringMap(m, `metadata of tensor ${t.name}`);
  }
  if (dataOffset + at !== totalSize) {
    throw new FormatError(`safetensors tensors end at byte ${dataOffset + at}, the data holds ${totalSize}`, where('data_offsets'));
  }
  return { dataOffset, tensors, metadata, byteLength: totalSize };
}

export interface TensorSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
  metadata?: Record<string, string> | undefined;
}

/** The 8-byte size and the JSON header for tensors laid out in the given order (padded to 8 bytes, as safetensors writes it). */
export function buildHeader(specs: readonly TensorSpec[], metadata: Record<string, string> = {}): { bytes: Uint8Array; layout: SafetensorsLayout } {
  if (TENSOR_METADATA_KEY in metadata) throw new ValidationError('metadata', `${TENSOR_METADATA_KEY} is reserved for per-tensor metadata`);
  const names = new Set<string>();
  const json: Record<string, unknown> = {};
  const perTensor: Record<string, Record<string, string>> = {};
  const tensors: TensorEntry[] = [];
  let at = 0;
  for (const s of specs) {
    if (typeof s.name !== 'string' || s.name.length === 0 || s.name === '__metadata__') throw new ValidationError('tensor name', `${JSON.stringify(s.name)} is empty or reserved`);
    if (names.has(s.name)) throw new ValidationError('tensor name', `${JSON.stringify(s.name)} appears twice`);
    names.add(s.name);
    const end = at + byteLengthOf(s.dtype, s.shape);
    json[s.name] = { dtype: DTYPE_INFO[s.dtype].safetensors, shape: s.shape, data_offsets: [at, end] };
    const m = s.metadata ?? {};
    if (Object.keys(m).length > 0) perTensor[s.name] = m;
    tensors.push({ name: s.name, dtype: s.dtype, shape: s.shape, begin: at, end, metadata: m });
    at = end;
  }
  const meta = Object.keys(perTensor).length > 0 ? { ...metadata, [TENSOR_METADATA_KEY]: JSON.stringify(perTensor) } : metadata;
  const text = JSON.stringify(Object.keys(meta).length > 0 ? { __metadata__: meta, ...json } : json);
  let body = Buffer.from(text, 'utf8');
  const pad = (8 - (body.length % 8)) % 8;
  if (pad > 0) body = Buffer.concat([body, Buffer.alloc(pad, 0x20)]);
  if (body.length > SAFETENSORS_MAX_HEADER) throw new ValidationError('tensors', `the header takes ${body.length} bytes, over safetensors' limit of ${SAFETENSORS_MAX_HEADER}`);
  const bytes = new Uint8Array(8 + body.length);
  new DataView(bytes.buffer).setUint32(0, body.length, true);
  bytes.set(body, 8);
  return { bytes, layout: { dataOffset: bytes.length, tensors, metadata, byteLength: bytes.length + at } };
}
