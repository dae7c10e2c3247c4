// The Avro schema of a hivestream container (format 1) and its header keys.
// See docs/FORMAT.md; the JSON below is written verbatim into `avro.schema`.
import avro from 'avsc';

export * from './constants.js';

export const CHUNK_SCHEMA = {
  type: 'record',
  name: 'Chunk',
  namespace: 'hivestream',
  fields: [
    { name: 'sequence', type: 'long' },
    { name: 'offset', type: 'long' },
    { name: 'length', type: 'int' },
    { name: 'codec', type: { type: 'enum', name: 'ChunkCodec', symbols: ['NONE', 'LZ4'] } },
    { name: 'sha256', type: { type: 'fixed', name: 'Sha256', size: 32 } },
    { name: 'data', type: 'bytes' },
    { name: 'final', type: 'boolean' },
    { name: 'root', type: ['null', 'Sha256'], default: null },
    { name: 'metadata', type: { type: 'map', values: 'string' }, default: {} },
  ],
} as const;

export const CHUNK_SCHEMA_JSON = JSON.stringify(CHUNK_SCHEMA);

/** avsc's view of the record type: used to check foreign schemas and in tests. */
export const chunkType = avro.Type.forSchema(JSON.parse(CHUNK_SCHEMA_JSON) as avro.Schema);

/** Parsing Canonical Form of the chunk schema, to compare schemas written by other tools. */
export const CHUNK_CANONICAL = JSON.stringify(chunkType.schema());
