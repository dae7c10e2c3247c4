// The Avro schema of a hivestream container (format 1) and its header keys.
// See docs/FORMAT.md; the JSON below is written verbatim into `avro.schema`.
// avsc's view of it lives in avro-types.ts, loaded only where needed: the
// hot paths encode and decode records by hand (see record.ts).

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
