// Typed record declarations: a dataset's fields (name, dtype, fixed or
// variable shape; strings; a string map), stored once in the container
// header, and how a reader's declaration is resolved against the writer's,
// by Avro's rules: fields match by name (or a reader alias); a writer field
// the reader lacks is skipped; a reader field the writer lacks takes its
// default (none: an error before any record is read); a type may widen
// (int -> long -> double, float -> double); shapes must agree.
import { FormatError, ValidationError } from '../errors.js';
import { isDtype, resolveTensorShape, type Dtype } from './dtypes.js';

/** A field as declared: `dtype` a tensor dtype, 'string' or 'map' (string to string). */
export interface FieldSpec {
  name: string;
  dtype: Dtype | 'string' | 'map';
  /** Tensor fields: dimensions, null for a variable one (default [], a scalar). */
  shape?: Array<number | null>;
  /** String fields: may be null or missing (default false). */
  optional?: boolean;
  /** Value for records written without this field: a number or bigint (tensor fill), a string or null. */
  default?: number | bigint | string | null;
  /** Other names this field had in older writers. */
  aliases?: string[];
}

/** A field after checking; `default` is undefined when none was declared. */
export interface Field {
  name: string;
  dtype: Dtype | 'string' | 'map';
  shape: Array<number | null>;
  optional: boolean;
  default: number | bigint | string | null | undefined;
  aliases: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isTensorField(f: Field): f is Field & { dtype: Dtype } {
  return isDtype(f.dtype);
}

export function isVariable(f: Field): boolean {
  return f.shape.some((d) => d === null);
}

function resolveField(value: unknown, i: number): Field {
  if (typeof value !== 'object' || value === null) throw new ValidationError(`fields[${i}]`, 'expected {name, dtype, shape?}');
  const o = value as Record<string, unknown>;
  const where = `field ${typeof o.name === 'string' ? o.name : i}`;
  if (typeof o.name !== 'string' || !NAME.test(o.name)) throw new ValidationError(`${where} name`, `${JSON.stringify(o.name)} is not an Avro name (letters, digits, _)`);
  const dtype = o.dtype;
  if (dtype !== 'string' && dtype !== 'map' && !isDtype(dtype)) throw new ValidationError(`${where} dtype`, `${JSON.stringify(dtype)} is not a tensor dtype, 'string' or 'map'`);
  let shape: Array<number | null> = [];
  if (isDtype(dtype) && o.shape !== undefined) {
    if (!Array.isArray(o.shape)) throw new ValidationError(`${where} shape`, 'expected an array of dimensions (null: variable)');
    const fixed = resolveTensorShape((o.shape as unknown[]).map((d) => (d === null ? 0 : d)), `${where} shape`);
    shape = (o.shape as unknown[]).map((d, k) => (d === null ? null : (fixed[k] ?? 0)));
  } else if (!isDtype(dtype) && o.shape !== undefined) {
    throw new ValidationError(`${where} shape`, `a ${String(dtype)} field has no shape`);
  }
  const optional = o.optional === true;
  if (optional && dtype !== 'string') throw new ValidationError(`${where} optional`, 'only string fields are optional');
  const d = o.default;
  if (d !== undefined) {
    const ok = isDtype(dtype) ? typeof d === 'number' || typeof d === 'bigint' : dtype === 'string' ? typeof d === 'string' || (d === null && optional) : false;
    if (!ok) throw new ValidationError(`${where} default`, `${typeof d} does not fit a ${String(dtype)} field`);
  }
  const aliases = o.aliases === undefined ? [] : o.aliases;
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string' && NAME.test(a))) throw new ValidationError(`${where} aliases`, 'expected an array of names');
  return { name: o.name, dtype, shape, optional, default: d as Field['default'], aliases: aliases as string[] };
}

export function resolveFields(value: unknown): Field[] {
  if (!Array.isArray(value) || value.length === 0) throw new ValidationError('fields', 'expected a non-empty array of {name, dtype, shape?}');
  const fields = value.map(resolveField);
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) throw new ValidationError('fields', `${f.name} is declared twice`);
    names.add(f.name);
  }
  return fields;
}

/** The declaration as stored in the header (JSON; bigint defaults as decimal strings). */
export function fieldsToJson(fields: readonly Field[]): unknown[] {
  return fields.map((f) => {
    const o: Record<string, unknown> = { name: f.name, dtype: f.dtype };
    if (isTensorField(f)) o.shape = f.shape;
    if (f.optional) o.optional = true;
    if (f.default !== undefined) o.default = typeof f.default === 'bigint' ? { bigint: f.default.toString() } : f.default;
    if (f.aliases.length > 0) o.aliases = f.aliases;
    return o;
  });
}

export function fieldsFromJson(value: unknown): Field[] {
  try {
    if (!Array.isArray(value)) throw new ValidationError('fields', 'not an array');
    return resolveFields(
      value.map((f: unknown) => {
        const d = typeof f === 'object' && f !== null ? (f as Record<string, unknown>).default : undefined;
        if (typeof d === 'object' && d !== null && typeof (d as Record<string, unknown>).bigint === 'string') return { ...(f as object), default: BigInt((d as { bigint: string }).bigint) };
        return f;
      }),
    );
  } catch (cause) {
    throw new FormatError(`bad record declaration: ${cause instanceof Error ? cause.message : String(cause)}`, { field: 'hivestream.content_meta' }, { cause });
  }
}

/** The Avro schema each record follows (tensors as bytes, little-endian; a variable shape travels with its tensor). */
export function avroSchema(fields: readonly Field[]): Record<string, unknown> {
  return {
    type: 'record',
    name: 'Record',
    namespace: 'hivestream.typed',
    fields: fields.map((f) => {
      if (f.dtype === 'string') return { name: f.name, type: f.optional ? ['null', 'string'] : 'string' };
      if (f.dtype === 'map') return { name: f.name, type: { type: 'map', values: 'string' } };
      if (!isVariable(f)) return { name: f.name, type: 'bytes' };
      const fields = [
        { name: 'shape', type: { type: 'array', items: 'long' } },
        { name: 'data', type: 'bytes' },
      ];
      return { name: f.name, type: { type: 'record', name: `${f.name}_tensor`, fields } };
    }),
  };
}

/** Element types a stored dtype may be read as (Avro's promotions, for tensors). */
const WIDER: Partial<Record<Dtype, Dtype[]>> = {
  int8: ['int16', 'int32', 'int64', 'float32', 'float64'],
  uint8: ['int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64', 'float32', 'float64'],
  int16: ['int32', 'int64', 'float32', 'float64'],
  uint16: ['int32', 'int64', 'uint32', 'uint64', 'float32', 'float64'],
  int32: ['int64', 'float64'],
  uint32: ['int64', 'uint64', 'float64'],
  float32: ['float64'],
};

/** How one writer field is read: into which reader field (or skipped). */
export interface ResolvedField {
  writer: Field;
  reader: Field | undefined;
}

export interface Resolution {
  /** Writer fields in stored order. */
  steps: ResolvedField[];
  /** Reader fields the writer lacks: filled from their defaults. */
  defaults: Field[];
  /** Reader fields, in the reader's order. */
  fields: Field[];
}

function shapesAgree(w: Field, r: Field): boolean {
  if (w.shape.length !== r.shape.length) return false;
  return w.shape.every((d, k) => r.shape[k] === null || d === r.shape[k]);
}

/** Resolves a reader's declaration against the writer's (Avro schema resolution). */
export function resolve(writer: readonly Field[], reader: readonly Field[] = writer): Resolution {
  const taken = new Set<Field>();
  const steps = writer.map((w) => {
    const r = reader.find((f) => f.name === w.name) ?? reader.find((f) => f.aliases.includes(w.name));
    if (r === undefined) return { writer: w, reader: undefined };
    const where = `field ${r.name}`;
    const sameKind = w.dtype === r.dtype || (isDtype(w.dtype) && isDtype(r.dtype) && (WIDER[w.dtype] ?? []).includes(r.dtype));
    if (!sameKind) throw new ValidationError(where, `stored as ${w.dtype}, which cannot be read as ${r.dtype}`);
    if (isDtype(w.dtype) && !shapesAgree(w, r)) throw new ValidationError(where, `stored shape [${w.shape.join(', ')}] does not fit [${r.shape.join(', ')}]`);
    if (w.dtype === 'string' && w.optional && !r.optional) throw new ValidationError(where, 'stored as an optional string; declare it optional to read it');
    taken.add(r);
    return { writer: w, reader: r };
  });
  const defaults = reader.filter((r) => !taken.has(r));
  for (const r of defaults) {
    if (r.default === undefined && !(r.dtype === 'string' && r.optional) && r.dtype !== 'map') {
      throw new ValidationError(`field ${r.name}`, 'is not in the stored records and has no default');
    }
  }
  return { steps, defaults, fields: [...reader] };
}
