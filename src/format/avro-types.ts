// avsc's types for the container: the record type (the reference encoder the
// tests compare ours against) and Parsing Canonical Form, used to accept a
// schema another tool rewrote (reformatted JSON, reordered attributes).
import { createRequire } from 'node:module';
import type avroTypes from 'avsc';
import { CHUNK_SCHEMA_JSON } from './schema.js';

type Avsc = typeof avroTypes;
let avsc: Avsc | undefined;

/** Loads avsc on first use (it costs ~30 ms at start-up, and most runs never need it). */
export function loadAvsc(): Avsc {
  avsc ??= createRequire(import.meta.url)('avsc') as Avsc;
  return avsc;
}

export function chunkType(): avroTypes.Type {
  return loadAvsc().Type.forSchema(JSON.parse(CHUNK_SCHEMA_JSON) as avroTypes.Schema);
}

export function headerMapType(): avroTypes.Type {
  return loadAvsc().Type.forSchema({ type: 'map', values: 'bytes' });
}

let chunkCanonical: string | undefined;

/** Parsing Canonical Form of a schema, or undefined when it does not parse. */
export function canonicalForm(schema: string): string | undefined {
  try {
    return JSON.stringify(loadAvsc().Type.forSchema(JSON.parse(schema) as avroTypes.Schema).schema());
  } catch {
    return undefined;
  }
}

/** True when `schema` is the chunk schema, written differently. */
export function isChunkSchema(schema: string): boolean {
  chunkCanonical ??= canonicalForm(CHUNK_SCHEMA_JSON);
  return canonicalForm(schema) === chunkCanonical;
}
