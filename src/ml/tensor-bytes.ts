// Tensor bytes in and out, shared by single-tensor weights and checkpoints:
// a tensor's values given in memory or as a stream of byte views are
// checked (type, byte count, bool values) and turned into little-endian
// bytes; bytes read back in chunks are cut into whole-element slices.
import { ValidationError } from '../errors.js';
import { byteLengthOf, dtypeSize, fitsDtype, isTensorData, leBytes, typedView, type Dtype, type TensorData } from './dtypes.js';

/** A tensor's values: a typed array, or an (async) iterable of little-endian byte views for tensors larger than memory. */
export type TensorBody = TensorData | AsyncIterable<ArrayBufferView> | Iterable<ArrayBufferView>;

/** A tensor read as it arrives: `offset` counts elements; each slice was verified by its chunk digest. */
export interface TensorSlice {
  offset: number;
  data: TensorData;
}

function describe(dtype: Dtype, shape: readonly number[]): string {
  return `shape [${shape.join(', ')}] of ${dtype}`;
}

/** Checks what can be checked before writing (an in-memory body's type and size). */
export function checkBody(body: unknown, dtype: Dtype, shape: readonly number[], field: string): TensorBody {
  const need = byteLengthOf(dtype, shape);
  if (isTensorData(body)) {
    if (!fitsDtype(body, dtype)) throw new ValidationError(field, `a ${body.constructor.name} given as ${dtype}`);
    if (body.byteLength !== need) throw new ValidationError(field, `${body.byteLength} bytes; ${describe(dtype, shape)} needs ${need}`);
    return body;
  }
  if (typeof body === 'object' && body !== null && (Symbol.asyncIterator in body || Symbol.iterator in body)) return body as TensorBody;
  throw new ValidationError(field, 'expected a typed array or an (async) iterable of byte views');
}

function checkBool(bytes: Uint8Array, at: number, field: string): void {
  const bad = bytes.findIndex((b) => b > 1);
  if (bad >= 0) throw new ValidationError(`${field}[${at + bad}]`, `bool value ${bytes[bad] ?? 0} is not 0 or 1`);
}

/** The body's little-endian bytes, checked against the byte count of `shape` (and bool values). */
export async function* bodyBytes(body: TensorBody, dtype: Dtype, shape: readonly number[], field: string): AsyncGenerator<Uint8Array> {
  const need = byteLengthOf(dtype, shape);
  if (isTensorData(body)) {
    const bytes = leBytes(body);
    if (dtype === 'bool') checkBool(bytes, 0, field);
    yield bytes;
    return;
  }
  let n = 0;
  for await (const piece of body) {
    if (!ArrayBuffer.isView(piece)) throw new ValidationError(field, 'yielded something other than bytes or a typed array');
    if (n + piece.byteLength > need) throw new ValidationError(field, `yielded more than the ${need} bytes ${describe(dtype, shape)} needs`);
    const bytes = leBytes(piece);
    if (dtype === 'bool') checkBool(bytes, n, field);
    n += piece.byteLength;
    yield bytes;
  }
  if (n !== need) throw new ValidationError(field, `yielded ${n} bytes; ${describe(dtype, shape)} needs ${need}`);
}

/** Cuts byte pieces (chunk views, valid until the next step) into slices of whole elements, each its own copy. */
export async function* elementSlices(pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, dtype: Dtype): AsyncGenerator<TensorSlice> {
  const size = dtypeSize(dtype);
  let carry = new Uint8Array(0);
  let offset = 0;
  for await (const bytes of pieces) {
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
      yield { offset, data: typedView(dtype, joined.slice(0, usable)) };
      offset += usable / size;
    }
  }
}
