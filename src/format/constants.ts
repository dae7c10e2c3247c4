// Constants of container format 1, kept free of heavy imports: workers load them.

export const FORMAT_VERSION = 1;
export const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01); // "Obj" 1
export const SYNC_SIZE = 16;
export const DIGEST_SIZE = 32;

export const CODEC_NONE = 0;
export const CODEC_LZ4 = 1;

/** Metadata key of the final record: SHA-256 of the header bytes, hex. */
export const HEADER_DIGEST_KEY = 'hivestream.header_sha256';

export const META = {
  schema: 'avro.schema',
  codec: 'avro.codec',
  format: 'hivestream.format',
  chunkSize: 'hivestream.chunk_size',
  hash: 'hivestream.hash',
  streamId: 'hivestream.stream_id',
  source: 'hivestream.source',
  /** Optional: what the raw stream holds (e.g. training-records/1, tensor/1); see docs/ML.md. */
  contentType: 'hivestream.content_type',
  /** Optional: JSON describing the content (record schema, tensor dtype and shape). */
  contentMeta: 'hivestream.content_meta',
} as const;
