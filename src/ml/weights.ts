// Model weights: one tensor per container. The tensor's dtype, shape and
// byte length go into the header (hivestream.content_type = tensor/1,
// hivestream.content_meta = JSON), so the raw stream is exactly the tensor's
// little-endian bytes: `hivestream unpack` gives a file numpy.fromfile reads.
// Both directions stream: a tensor larger than memory passes through in
// chunks, and readModelWeights holds only the result it returns.
import { pack, readChunks, type ChunkEvent, type ChunkReadOptions, type ChunkReadReport, type Source, type SinkTarget } from '../api.js';
import { ContentTypeError, DtypeMismatchError, FormatError, ValidationError } from '../errors.js';
import type { PackReport } from '../engine/main/pack.js';
import type { PackOptions } from '../options.js';
import { byteLengthOf, dtypeOf, isTensorData, resolveDtype, resolveTensorShape, typedView, type Dtype, type TensorData } from './dtypes.js';
import { bodyBytes, checkBody, elementSlices, type TensorBody, type TensorSlice } from './tensor-bytes.js';

export { DTYPES, type Dtype, type TensorData } from './dtypes.js';
export type { TensorSlice } from './tensor-bytes.js';

export const TENSOR_CONTENT_TYPE = 'tensor/1';

export interface Tensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

/** A tensor whose bytes arrive as a stream (little-endian), or are given in memory. */
export interface TensorSource {
  dtype: Dtype;
  shape: number[];
  data: TensorBody;
}

/** What hivestream.content_meta says about a tensor. */
export interface TensorInfo {
  version: 1;
  dtype: Dtype;
  shape: number[];
  byteLength: number;
  byteOrder: 'little';
  /** User metadata (string map), when given. */
  metadata?: Record<string, string>;
}

export interface StreamWeightsOptions extends Omit<PackOptions, 'contentType' | 'contentMeta'> {
  /** Shape of a typed array given alone (default: [length]). */
  shape?: number[];
  /** User metadata stored with the tensor description (string values). */
  metadata?: Record<string, string>;
}

export interface ReadWeightsOptions extends Omit<ChunkReadOptions, 'corrupt'> {
  /** Fail with DtypeMismatchError unless the stored tensor has this dtype. */
  dtype?: Dtype;
  /** Fail with ValidationError unless the stored tensor has this shape. */
  shape?: number[];
}

/** A string-to-string map, checked. */
export function resolveStringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new ValidationError(field, 'expected an object of string values');
  }
  return { ...(value as Record<string, string>) };
}

/** Packs a tensor (in memory or streamed) into a container at `sink`. */
export async function streamModelWeights(weights: TensorData | TensorSource, sink: SinkTarget, options: StreamWeightsOptions = {}): Promise<PackReport & { tensor: TensorInfo }> {
  let dtype: Dtype;
  let shape: number[];
  let data: unknown;
  if (isTensorData(weights)) {
    dtype = dtypeOf(weights) ?? 'uint8';
    shape = resolveTensorShape(options.shape ?? [weights.length], 'shape');
    data = weights;
  } else if (typeof weights === 'object' && weights !== null && 'data' in weights) {
    dtype = resolveDtype(weights.dtype, 'weights.dtype');
    shape = resolveTensorShape(weights.shape, 'weights.shape');
    data = weights.data;
  } else {
    throw new ValidationError('weights', 'expected a typed array or {dtype, shape, data}');
  }
  const body = checkBody(data, dtype, shape, 'weights.data');
  const metadata = resolveStringMap(options.metadata, 'metadata');
  const tensor: TensorInfo = { version: 1, dtype, shape, byteLength: byteLengthOf(dtype, shape), byteOrder: 'little' };
  if (Object.keys(metadata).length > 0) tensor.metadata = metadata;
  const { metadata: _m, shape: _s, ...packOptions } = options;
  const report = await pack(bodyBytes(body, dtype, shape, 'weights.data'), sink, { ...packOptions, contentType: TENSOR_CONTENT_TYPE, contentMeta: JSON.stringify(tensor) });
  return { ...report, tensor };
}

function parseTensorInfo(text: string | undefined): TensorInfo {
  const bad = (reason: string, cause?: unknown): never => {
    throw new FormatError(`bad tensor description: ${reason}`, { field: 'hivestream.content_meta' }, { cause });
  };
  let o: Record<string, unknown> = {};
  try {
    const raw: unknown = JSON.parse(text ?? 'null');
    if (typeof raw === 'object' && raw !== null) o = raw as Record<string, unknown>;
    else bad('not an object');
  } catch (cause) {
    bad('not JSON', cause);
  }
  if (o.version !== 1 || o.byteOrder !== 'little') bad(`unsupported version or byte order (${JSON.stringify([o.version, o.byteOrder])})`);
  try {
    const dtype = resolveDtype(o.dtype, 'dtype');
    const shape = resolveTensorShape(o.shape, 'shape');
    const byteLength = byteLengthOf(dtype, shape);
    if (o.byteLength !== byteLength) bad(`byteLength ${String(o.byteLength)} does not match shape [${shape.join(', ')}] of ${dtype}`);
    const info: TensorInfo = { version: 1, dtype, shape, byteLength, byteOrder: 'little' };
    if (o.metadata !== undefined) info.metadata = resolveStringMap(o.metadata, 'metadata');
    return info;
  } catch (cause) {
    if (cause instanceof FormatError) throw cause;
    return bad(cause instanceof Error ? cause.message : String(cause), cause);
  }
}

export interface WeightsStream extends AsyncIterable<TensorSlice> {
  readonly tensor: TensorInfo;
  /** Set when the tensor was read to its end (root and header digests checked). */
  readonly report: ChunkReadReport | undefined;
  /** Releases the input when the slices will not be read. */
  close(): Promise<void>;
}

type Chunks = AsyncGenerator<ChunkEvent, ChunkReadReport>;

/** Closes a chunk reader early (its return value is never looked at). */
async function stop(chunks: Chunks): Promise<void> {
  await chunks.return(undefined as never);
}

/** Starts reading and checks the header against what the caller asked for. */
async function openTensor(source: Source, options: ReadWeightsOptions): Promise<{ tensor: TensorInfo; chunks: Chunks }> {
  const wanted = options.dtype === undefined ? undefined : resolveDtype(options.dtype, 'dtype');
  const wantedShape = options.shape === undefined ? undefined : resolveTensorShape(options.shape, 'shape');
  const chunks = readChunks(source, { ...options, corrupt: 'throw' });
  try {
    const first = await chunks.next();
    if (first.done === true || first.value.kind !== 'header') throw new Error('internal: chunk reader did not start with the header');
    const h = first.value.header;
    if (h.contentType !== TENSOR_CONTENT_TYPE) throw new ContentTypeError(TENSOR_CONTENT_TYPE, h.contentType);
    const tensor = parseTensorInfo(h.contentMeta);
    const where = h.source === undefined ? 'stored tensor' : `tensor ${h.source}`;
    if (wanted !== undefined && wanted !== tensor.dtype) throw new DtypeMismatchError(wanted, tensor.dtype, where);
    if (wantedShape !== undefined && wantedShape.join(',') !== tensor.shape.join(',')) {
      throw new ValidationError('shape', `[${wantedShape.join(', ')}] requested, ${where} has [${tensor.shape.join(', ')}]`);
    }
    return { tensor, chunks };
  } catch (err) {
    await stop(chunks).catch(() => undefined);
    throw err;
  }
}

/** The tensor's raw bytes chunk by chunk (views valid until the next step), checked against its length. */
async function* tensorBytes(tensor: TensorInfo, chunks: Chunks, done: (r: ChunkReadReport) => void): AsyncGenerator<Uint8Array> {
  let at = 0;
  try {
    for (;;) {
      const step = await chunks.next();
      if (step.done === true) {
        done(step.value);
        break;
      }
      const e = step.value;
      if (e.kind !== 'chunk') continue;
      if (at + e.bytes.length > tensor.byteLength) throw new FormatError(`tensor data exceeds its ${tensor.byteLength} bytes`, { sequence: e.sequence, field: 'data' });
      at += e.bytes.length;
      yield e.bytes;
    }
    if (at !== tensor.byteLength) throw new FormatError(`tensor data holds ${at} bytes, its description says ${tensor.byteLength}`, { field: 'data' });
  } finally {
    await stop(chunks);
  }
}

/** Reads a weights container's header and checks it; the tensor follows, slice by slice, through the iterator. */
export async function openModelWeights(source: Source, options: ReadWeightsOptions = {}): Promise<WeightsStream> {
  const { tensor, chunks } = await openTensor(source, options);
  let report: ChunkReadReport | undefined;
  const slices = (): AsyncGenerator<TensorSlice> => elementSlices(tensorBytes(tensor, chunks, (r) => (report = r)), tensor.dtype);
  return {
    tensor,
    [Symbol.asyncIterator]: () => slices(),
    get report() {
      return report;
    },
    close: () => stop(chunks),
  };
}

/** Reads a tensor back whole, verified, with its dtype and shape. */
export async function readModelWeights(source: Source, options: ReadWeightsOptions = {}): Promise<Tensor & { report: ChunkReadReport }> {
  const { tensor, chunks } = await openTensor(source, options);
  // One copy, from the ring straight into the result.
  const bytes = new Uint8Array(tensor.byteLength);
  let at = 0;
  let report: ChunkReadReport | undefined;
  for await (const piece of tensorBytes(tensor, chunks, (r) => (report = r))) {
    bytes.set(piece, at);
    at += piece.length;
  }
  if (report === undefined) throw new Error('internal: tensor read ended without a report');
  return { dtype: tensor.dtype, shape: tensor.shape, data: typedView(tensor.dtype, bytes), report };
}
