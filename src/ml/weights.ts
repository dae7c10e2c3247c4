// Model weights: one tensor per container. The tensor's dtype, shape and
// byte length go into the header (hivestream.content_type = tensor/1,
// hivestream.content_meta = JSON), so the raw stream is exactly the tensor's
// little-endian bytes: `hivestream unpack` gives a file numpy.fromfile reads.
// Both directions stream: a tensor larger than memory passes through in
// chunks, and readModelWeights holds only the result it returns.
import { endianness } from 'node:os';
import { pack, readChunks, type ChunkEvent, type ChunkReadOptions, type ChunkReadReport, type Source, type SinkTarget } from '../api.js';
import { ContentTypeError, DtypeMismatchError, FormatError, ValidationError } from '../errors.js';
import type { PackReport } from '../engine/main/pack.js';
import type { PackOptions } from '../options.js';
import { elements, resolveShape } from './records.js';

export const TENSOR_CONTENT_TYPE = 'tensor/1';
export const DTYPES = ['float32', 'float64', 'uint8'] as const;
export type Dtype = (typeof DTYPES)[number];
export type TensorData = Float32Array | Float64Array | Uint8Array;

export interface Tensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

/** A tensor whose bytes arrive as a stream (little-endian), or are given in memory. */
export interface TensorSource {
  dtype: Dtype;
  shape: number[];
  data: TensorData | AsyncIterable<ArrayBufferView> | Iterable<ArrayBufferView>;
}

/** What hivestream.content_meta says about a tensor. */
export interface TensorInfo {
  version: 1;
  dtype: Dtype;
  shape: number[];
  byteLength: number;
  byteOrder: 'little';
}

export interface StreamWeightsOptions extends Omit<PackOptions, 'contentType' | 'contentMeta'> {
  /** Shape of a typed array given alone (default: [length]). */
  shape?: number[];
}

export interface ReadWeightsOptions extends Omit<ChunkReadOptions, 'corrupt'> {
  /** Fail with DtypeMismatchError unless the stored tensor has this dtype. */
  dtype?: Dtype;
  /** Fail with ValidationError unless the stored tensor has this shape. */
  shape?: number[];
}

const SIZES: Record<Dtype, number> = { float32: 4, float64: 8, uint8: 1 };
const bigEndian = endianness() === 'BE';

function dtypeOf(data: TensorData): Dtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'uint8';
}

function resolveDtype(value: unknown, field: string): Dtype {
  if (typeof value === 'string' && (DTYPES as readonly string[]).includes(value)) return value as Dtype;
  throw new ValidationError(field, `${JSON.stringify(value)} is not one of ${DTYPES.join(', ')}`);
}

function isTensorData(v: unknown): v is TensorData {
  return v instanceof Float32Array || v instanceof Float64Array || v instanceof Uint8Array;
}

/** Little-endian bytes of a view (swapped copies on a big-endian machine). */
function leBytes(v: ArrayBufferView): Uint8Array {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (!bigEndian || v instanceof Uint8Array) return bytes;
  const copy = Buffer.from(bytes);
  return v instanceof Float64Array ? copy.swap64() : copy.swap32();
}

/** Packs a tensor (in memory or streamed) into a container at `sink`. */
export async function streamModelWeights(weights: TensorData | TensorSource, sink: SinkTarget, options: StreamWeightsOptions = {}): Promise<PackReport & { tensor: TensorInfo }> {
  let dtype: Dtype;
  let shape: number[];
  let data: TensorSource['data'];
  if (isTensorData(weights)) {
    dtype = dtypeOf(weights);
    shape = resolveShape(options.shape ?? [weights.length], 'shape');
    data = weights;
  } else if (typeof weights === 'object' && weights !== null && 'data' in weights) {
    dtype = resolveDtype(weights.dtype, 'weights.dtype');
    shape = resolveShape(weights.shape, 'weights.shape');
    data = weights.data;
  } else {
    throw new ValidationError('weights', 'expected a Float32Array, Float64Array, Uint8Array or {dtype, shape, data}');
  }
  const byteLength = elements(shape) * SIZES[dtype];
  if (isTensorData(data)) {
    if (!(data instanceof Uint8Array) && dtypeOf(data) !== dtype) throw new ValidationError('weights.data', `a ${data.constructor.name} given as ${dtype}`);
    if (data.byteLength !== byteLength) {
      throw new ValidationError('weights.data', `${data.byteLength} bytes; shape [${shape.join(', ')}] of ${dtype} needs ${byteLength}`);
    }
  }
  const tensor: TensorInfo = { version: 1, dtype, shape, byteLength, byteOrder: 'little' };
  const body = data;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    if (isTensorData(body)) {
      yield leBytes(body);
      return;
    }
    let n = 0;
    for await (const piece of body) {
      if (!ArrayBuffer.isView(piece)) throw new ValidationError('weights.data', 'yielded something other than bytes or a typed array');
      n += piece.byteLength;
      if (n > byteLength) throw new ValidationError('weights.data', `yielded more than the ${byteLength} bytes shape [${shape.join(', ')}] of ${dtype} needs`);
      yield leBytes(piece);
    }
    if (n !== byteLength) throw new ValidationError('weights.data', `yielded ${n} bytes; shape [${shape.join(', ')}] of ${dtype} needs ${byteLength}`);
  }
  const report = await pack(bytes(), sink, { ...options, contentType: TENSOR_CONTENT_TYPE, contentMeta: JSON.stringify(tensor) });
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
    const shape = resolveShape(o.shape, 'shape');
    const byteLength = elements(shape) * SIZES[dtype];
    if (o.byteLength !== byteLength) bad(`byteLength ${String(o.byteLength)} does not match shape [${shape.join(', ')}] of ${dtype}`);
    return { version: 1, dtype, shape, byteLength, byteOrder: 'little' };
  } catch (cause) {
    if (cause instanceof FormatError) throw cause;
    return bad(cause instanceof Error ? cause.message : String(cause), cause);
  }
}

/** A tensor read as it arrives: `offset` counts elements; each slice is verified by its chunk digest. */
export interface TensorSlice {
  offset: number;
  data: TensorData;
}

export interface WeightsStream extends AsyncIterable<TensorSlice> {
  readonly tensor: TensorInfo;
  /** Set when the tensor was read to its end (root and header digests checked). */
  readonly report: ChunkReadReport | undefined;
  /** Releases the input when the slices will not be read. */
  close(): Promise<void>;
}

function view(dtype: Dtype, bytes: Uint8Array): TensorData {
  // `bytes` is a fresh copy here: its own buffer, aligned, ours to swap.
  if (bigEndian && dtype !== 'uint8') {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dtype === 'float64') b.swap64();
    else b.swap32();
  }
  if (dtype === 'float32') return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (dtype === 'float64') return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return bytes;
}

type Chunks = AsyncGenerator<ChunkEvent, ChunkReadReport>;

/** Closes a chunk reader early (its return value is never looked at). */
async function stop(chunks: Chunks): Promise<void> {
  await chunks.return(undefined as never);
}

/** Starts reading and checks the header against what the caller asked for. */
async function openTensor(source: Source, options: ReadWeightsOptions): Promise<{ tensor: TensorInfo; chunks: Chunks }> {
  const wanted = options.dtype === undefined ? undefined : resolveDtype(options.dtype, 'dtype');
  const wantedShape = options.shape === undefined ? undefined : resolveShape(options.shape, 'shape');
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
  const size = SIZES[tensor.dtype];
  let report: ChunkReadReport | undefined;
  async function* slices(): AsyncGenerator<TensorSlice> {
    let carry = new Uint8Array(0);
    let offset = 0;
    for await (const bytes of tensorBytes(tensor, chunks, (r) => (report = r))) {
      // Chunk boundaries need not fall between elements: carry the remainder.
      let joined = bytes;
      if (carry.length > 0) {
        joined = new Uint8Array(carry.length + bytes.length);
        joined.set(carry);
        joined.set(bytes, carry.length);
      }
      // Uint8Array#slice copies into a fresh, aligned buffer (Buffer#slice would not).
      const usable = joined.length - (joined.length % size);
      carry = joined.slice(usable);
      if (usable > 0) {
        yield { offset, data: view(tensor.dtype, joined.slice(0, usable)) };
        offset += usable / size;
      }
    }
  }
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
  return { dtype: tensor.dtype, shape: tensor.shape, data: view(tensor.dtype, bytes), report };
}
