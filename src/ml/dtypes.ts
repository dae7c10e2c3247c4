// The tensor element types hivestream stores, in one table: byte size, the
// JavaScript typed array that holds the values, and the safetensors code.
// float16 and bfloat16 have no JavaScript array type: their values travel
// as raw 16-bit patterns in a Uint16Array, never converted, so every bit
// (NaN payloads included) comes back as written.
import { endianness } from 'node:os';
import { ValidationError } from '../errors.js';

export const DTYPES = ['float16', 'bfloat16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'] as const;
export type Dtype = (typeof DTYPES)[number];

export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

type ArrayType = new (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorData;

interface DtypeInfo {
  size: 1 | 2 | 4 | 8;
  array: ArrayType;
  /** The dtype's name in safetensors headers. */
  safetensors: string;
}

export const DTYPE_INFO: Record<Dtype, DtypeInfo> = {
  float16: { size: 2, array: Uint16Array, safetensors: 'F16' },
  bfloat16: { size: 2, array: Uint16Array, safetensors: 'BF16' },
  float32: { size: 4, array: Float32Array, safetensors: 'F32' },
  float64: { size: 8, array: Float64Array, safetensors: 'F64' },
  int8: { size: 1, array: Int8Array, safetensors: 'I8' },
  int16: { size: 2, array: Int16Array, safetensors: 'I16' },
  int32: { size: 4, array: Int32Array, safetensors: 'I32' },
  int64: { size: 8, array: BigInt64Array, safetensors: 'I64' },
  uint8: { size: 1, array: Uint8Array, safetensors: 'U8' },
  uint16: { size: 2, array: Uint16Array, safetensors: 'U16' },
  uint32: { size: 4, array: Uint32Array, safetensors: 'U32' },
  uint64: { size: 8, array: BigUint64Array, safetensors: 'U64' },
  bool: { size: 1, array: Uint8Array, safetensors: 'BOOL' },
};

const FROM_SAFETENSORS = new Map(DTYPES.map((d) => [DTYPE_INFO[d].safetensors, d] as const));

export function dtypeFromSafetensors(code: string): Dtype | undefined {
  return FROM_SAFETENSORS.get(code);
}

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

export function resolveDtype(value: unknown, field: string): Dtype {
  if (isDtype(value)) return value;
  throw new ValidationError(field, `${JSON.stringify(value)} is not one of ${DTYPES.join(', ')}`);
}

export function dtypeSize(dtype: Dtype): number {
  return DTYPE_INFO[dtype].size;
}

/** The dtype a typed array stands for when given alone (Uint16Array: uint16; float16 and bfloat16 need an explicit dtype). */
export function dtypeOf(data: unknown): Dtype | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigUint64Array) return 'uint64';
  return undefined;
}

export function isTensorData(v: unknown): v is TensorData {
  return dtypeOf(v) !== undefined;
}

/** True when `data` may hold values of `dtype` (raw bytes as Uint8Array always may). */
export function fitsDtype(data: TensorData, dtype: Dtype): boolean {
  return data instanceof Uint8Array || data.constructor === DTYPE_INFO[dtype].array;
}

/**
 * Shape of a tensor: 0 to 16 dimensions (0: a scalar), each a non-negative
 * whole number, with a safe-integer element count.
 */
export function resolveTensorShape(value: unknown, field: string, minDims = 0): number[] {
  if (!Array.isArray(value) || value.length < minDims || value.length > 16) throw new ValidationError(field, `expected an array of ${minDims} to 16 dimensions`);
  const dims: number[] = [];
  for (const d of value as unknown[]) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new ValidationError(field, `dimension ${String(d)} is not a non-negative whole number`);
    dims.push(d);
  }
  if (!Number.isSafeInteger(elements(dims))) throw new ValidationError(field, `[${dims.join(', ')}] has too many elements`);
  return dims;
}

export function elements(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function byteLengthOf(dtype: Dtype, shape: readonly number[]): number {
  const n = elements(shape) * dtypeSize(dtype);
  if (!Number.isSafeInteger(n)) throw new ValidationError('shape', `[${shape.join(', ')}] of ${dtype} is too large`);
  return n;
}

const bigEndian = endianness() === 'BE';

/** Little-endian bytes of a view (a swapped copy on a big-endian machine). */
export function leBytes(v: ArrayBufferView): Uint8Array {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const size = 'BYTES_PER_ELEMENT' in v ? Number(v.BYTES_PER_ELEMENT) : 1;
  return bigEndian && size > 1 ? swapped(Buffer.from(bytes), size) : bytes;
}

function swapped(b: Buffer, size: number): Buffer {
  if (size === 2) return b.swap16();
  if (size === 4) return b.swap32();
  return size === 8 ? b.swap64() : b;
}

/**
 * Typed values over little-endian `bytes`. `bytes` must be its own aligned
 * copy (it is swapped in place on a big-endian machine).
 */
export function typedView(dtype: Dtype, bytes: Uint8Array): TensorData {
  const { size, array } = DTYPE_INFO[dtype];
  if (bytes.byteOffset % size !== 0) bytes = bytes.slice();
  if (bigEndian && size > 1) swapped(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), size);
  return new array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / size);
}
