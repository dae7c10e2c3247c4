// One typed record to Avro bytes and back (schema: fields.ts avroSchema).
// Tensors are `bytes` of little-endian values (a variable shape travels
// with its tensor as array<long>); strings are Avro strings (optional ones
// a null union); maps are map<string>. Decoding follows a Resolution, so a
// reader's declaration reads older records (skipped, defaulted, widened
// fields). Every length is checked against the record before it is used.
import { FormatError, ValidationError } from '../errors.js';
import { readLong, writeLong, longSize } from '../format/varint.js';
import { DTYPE_INFO, dtypeOf, elements, isTensorData, leBytes, typedView, type Dtype, type TensorData } from './dtypes.js';
import { isTensorField, isVariable, type Field, type Resolution } from './fields.js';

/** A tensor value as read back. */
export interface TypedTensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

export type TypedValue = TypedTensor | string | null | Record<string, string>;
/** A record as read back: one value per reader field. */
export type TypedRecord = Record<string, TypedValue>;

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: true });

/** Values and shape of a tensor field as the caller gave them. */
function tensorOf(value: unknown, f: Field & { dtype: Dtype }, where: string): { bytes: Uint8Array; shape: number[] } {
  let data: unknown = value;
  let shape: number[] | undefined;
  if (typeof value === 'object' && value !== null && 'data' in value && 'shape' in value) {
    data = (value as { data: unknown }).data;
    const s = (value as { shape: unknown }).shape;
    if (!Array.isArray(s) || !s.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new ValidationError(`${where} shape`, 'expected non-negative whole numbers');
    shape = s as number[];
  }
  const { array } = DTYPE_INFO[f.dtype];
  let typed: TensorData;
  if (typeof data === 'number' || typeof data === 'bigint') data = [data];
  if (isTensorData(data)) {
    const fits = dtypeOf(data) === f.dtype || data.constructor === array;
    if (!fits) throw new ValidationError(where, `a ${data.constructor.name} given for a ${f.dtype} field`);
    typed = data;
  } else if (Array.isArray(data)) {
    if (f.dtype === 'float16' || f.dtype === 'bfloat16') throw new ValidationError(where, `give ${f.dtype} values as a Uint16Array of bit patterns`);
    const big = array === BigInt64Array || array === BigUint64Array;
    try {
      typed = big ? (array as typeof BigInt64Array).from(data as Array<number | bigint>, (v) => BigInt(v)) : (array as typeof Float64Array).from(data as number[], (v) => (typeof v === 'bigint' ? Number(v) : v));
    } catch (cause) {
      throw new ValidationError(where, `values do not fit ${f.dtype}`, { cause });
    }
  } else {
    throw new ValidationError(where, `expected a typed array, an array, a number or {shape, data} for a ${f.dtype} field`);
  }
  const n = typed.length;
  if (shape === undefined) {
    const vars = f.shape.filter((d) => d === null).length;
    if (vars > 1) throw new ValidationError(where, 'has more than one variable dimension: give {shape, data}');
    const fixed = elements(f.shape.map((d) => d ?? 1));
    if (vars === 1 && (fixed === 0 ? n !== 0 : n % fixed !== 0)) throw new ValidationError(where, `has ${n} values, not a multiple of the ${fixed} the fixed dimensions take`);
    shape = f.shape.map((d) => d ?? (fixed === 0 ? 0 : n / fixed));
  }
  if (shape.length !== f.shape.length || shape.some((d, k) => f.shape[k] !== null && f.shape[k] !== d)) {
    throw new ValidationError(where, `shape [${shape.join(', ')}] does not fit the declared [${f.shape.map((d) => d ?? 'null').join(', ')}]`);
  }
  if (elements(shape) !== n) throw new ValidationError(where, `has ${n} values; shape [${shape.join(', ')}] holds ${elements(shape)}`);
  const bytes = leBytes(typed);
  if (f.dtype === 'bool' && bytes.some((b) => b > 1)) throw new ValidationError(where, 'bool values must be 0 or 1');
  return { bytes, shape };
}

/** Checks one record against the declaration and encodes it. */
export function encodeTyped(rec: unknown, index: number, fields: readonly Field[]): Uint8Array {
  if (typeof rec !== 'object' || rec === null) throw new ValidationError(`record ${index}`, 'expected an object of field values');
  const r = rec as Record<string, unknown>;
  const parts: Array<number | Uint8Array> = [];
  let size = 0;
  const long = (v: number): void => {
    parts.push(v);
    size += longSize(v);
  };
  const bytes = (b: Uint8Array): void => {
    long(b.length);
    parts.push(b);
    size += b.length;
  };
  for (const f of fields) {
    const where = `record ${index} ${f.name}`;
    const v = r[f.name];
    if (isTensorField(f)) {
      if (v === undefined || v === null) throw new ValidationError(where, 'is missing');
      const t = tensorOf(v, f, where);
      if (isVariable(f)) {
        long(t.shape.length);
        t.shape.forEach(long);
        if (t.shape.length > 0) long(0);
      }
      bytes(t.bytes);
    } else if (f.dtype === 'string') {
      if (v === undefined || v === null) {
        if (!f.optional) throw new ValidationError(where, 'is missing (not optional)');
        long(0);
        continue;
      }
      if (typeof v !== 'string') throw new ValidationError(where, 'expected a string');
      if (f.optional) long(1);
      bytes(utf8.encode(v));
    } else {
      const m = v ?? {};
      if (typeof m !== 'object' || Object.values(m).some((x) => typeof x !== 'string')) throw new ValidationError(where, 'expected an object of string values');
      const entries = Object.entries(m as Record<string, string>);
      if (entries.length > 0) long(entries.length);
      for (const [k, x] of entries) {
        bytes(utf8.encode(k));
        bytes(utf8.encode(x));
      }
      long(0);
    }
  }
  const out = new Uint8Array(size);
  let pos = 0;
  for (const p of parts) {
    if (typeof p === 'number') pos = writeLong(out, pos, p);
    else {
      out.set(p, pos);
      pos += p.length;
    }
  }
  return out;
}

/** A bounded reader over one record's bytes. */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly index: number,
  ) {}

  fail(field: string, reason: string): never {
    throw new FormatError(`record ${this.index} ${field}: ${reason}`, { field: `record ${this.index} ${field}` });
  }

  long(field: string): number {
    const r = readLong(this.buf, this.pos, this.buf.length);
    if (!r.ok) return this.fail(field, `malformed varint (${r.reason})`);
    this.pos = r.next;
    return r.value;
  }

  bytes(field: string): Uint8Array {
    const n = this.long(field);
    if (n < 0 || n > this.buf.length - this.pos) this.fail(field, `length ${n} runs past the record`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(field: string): string {
    try {
      return text.decode(this.bytes(field));
    } catch (cause) {
      if (cause instanceof FormatError) throw cause;
      return this.fail(field, 'invalid UTF-8');
    }
  }

  /** Avro blocks of items: counts until 0 (a negative count carries a byte size). */
  blocks(field: string, item: () => void): void {
    for (;;) {
      let n = this.long(field);
      if (n === 0) return;
      if (n < 0) {
        n = -n;
        this.long(field);
      }
      if (n > this.buf.length - this.pos) this.fail(field, `count ${n} runs past the record`);
      for (let i = 0; i < n; i++) item();
    }
  }
}

function readTensor(c: Cursor, w: Field & { dtype: Dtype }): { shape: number[]; bytes: Uint8Array } {
  let shape = w.shape as number[];
  if (isVariable(w)) {
    shape = [];
    c.blocks(w.name, () => shape.push(c.long(w.name)));
    if (shape.length !== w.shape.length || shape.some((d, k) => d < 0 || (w.shape[k] !== null && w.shape[k] !== d))) {
      c.fail(w.name, `shape [${shape.join(', ')}] does not fit the declared [${w.shape.map((d) => d ?? 'null').join(', ')}]`);
    }
  }
  const bytes = c.bytes(w.name);
  const need = elements(shape) * DTYPE_INFO[w.dtype].size;
  if (bytes.length !== need) c.fail(w.name, `holds ${bytes.length} bytes; shape [${shape.join(', ')}] of ${w.dtype} needs ${need}`);
  return { shape, bytes };
}

function convert(data: TensorData, to: Dtype): TensorData {
  const { array } = DTYPE_INFO[to];
  if (array === BigInt64Array || array === BigUint64Array) return (array as typeof BigInt64Array).from(data as ArrayLike<number | bigint>, (v) => BigInt(v));
  return (array as typeof Float64Array).from(data as ArrayLike<number | bigint>, (v) => Number(v));
}

function fill(f: Field & { dtype: Dtype }): TypedTensor {
  const shape = f.shape.map((d) => d ?? 0);
  const data = new DTYPE_INFO[f.dtype].array(new ArrayBuffer(elements(shape) * DTYPE_INFO[f.dtype].size), 0, elements(shape));
  const d = f.default ?? 0;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(BigInt(d));
  else data.fill(Number(d));
  return { dtype: f.dtype, shape, data };
}

/** Decodes one record as the reader declared it. */
export function decodeTyped(bytes: Uint8Array, index: number, plan: Resolution): TypedRecord {
  const c = new Cursor(bytes, index);
  const out: TypedRecord = {};
  for (const { writer: w, reader: r } of plan.steps) {
    if (isTensorField(w)) {
      const t = readTensor(c, w);
      if (r === undefined || !isTensorField(r)) continue;
      const data = typedView(w.dtype, t.bytes.slice());
      out[r.name] = { dtype: r.dtype, shape: t.shape, data: r.dtype === w.dtype ? data : convert(data, r.dtype) };
    } else if (w.dtype === 'string') {
      const present = !w.optional || c.long(w.name) === 1;
      const s = present ? c.string(w.name) : null;
      if (r !== undefined) out[r.name] = s;
    } else {
      const m: Record<string, string> = {};
      c.blocks(w.name, () => {
        const k = c.string(w.name);
        m[k] = c.string(w.name);
      });
      if (r !== undefined) out[r.name] = m;
    }
  }
  if (c.pos !== bytes.length) c.fail('end', `${bytes.length - c.pos} bytes after the last field`);
  for (const f of plan.defaults) {
    if (isTensorField(f)) out[f.name] = fill(f);
    else if (f.dtype === 'string') out[f.name] = typeof f.default === 'string' ? f.default : null;
    else out[f.name] = {};
  }
  return out;
}
