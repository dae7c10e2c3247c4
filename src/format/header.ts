// The Avro Object Container File header: magic, metadata map, sync marker.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { FormatError, FrameTooLargeError, TruncatedStreamError } from '../errors.js';
import { CHUNK_SCHEMA_JSON, FORMAT_VERSION, MAGIC, META, SYNC_SIZE } from './schema.js';
import { isChunkSchema } from './avro-types.js';
import { readLong } from './varint.js';
import { encodeMap } from './avro-map.js';

export interface ContainerHeader {
  chunkSize: number;
  streamId: string;
  source: string | undefined;
  /** Optional hivestream.content_type and hivestream.content_meta (UTF-8 text). */
  contentType: string | undefined;
  contentMeta: string | undefined;
  /** The delimiter byte every non-final chunk ends with (hivestream.boundary), or undefined: fixed-size chunks. */
  boundary: number | undefined;
  /** All header metadata, as raw bytes (Avro map<bytes>). */
  metadata: Map<string, Uint8Array>;
  sync: Uint8Array;
  /** Encoded size of the header, sync marker included. */
  length: number;
  /** SHA-256 of the encoded header, hex; the final record repeats it. */
  digestHex: string;
}

export interface NewHeaderOptions {
  chunkSize: number;
  source?: string | undefined;
  contentType?: string | undefined;
  contentMeta?: string | undefined;
  /** Chunks were cut after this delimiter byte (recorded as hivestream.boundary). */
  boundary?: number | undefined;
  streamId?: string;
  sync?: Uint8Array;
}

/** Random bytes for sync markers, drawn a few hundred markers at a time (one system call per pool, not per container). */
let syncPool = new Uint8Array(0);
let syncAt = 0;

function freshSync(): Uint8Array {
  if (syncAt + SYNC_SIZE > syncPool.length) {
    syncPool = new Uint8Array(randomBytes(SYNC_SIZE * 256));
    syncAt = 0;
  }
  syncAt += SYNC_SIZE;
  return syncPool.slice(syncAt - SYNC_SIZE, syncAt);
}

/** Builds and encodes a fresh header (random sync marker and stream id). */
export function createHeader(opts: NewHeaderOptions): { header: ContainerHeader; bytes: Uint8Array } {
  const streamId = opts.streamId ?? randomUUID();
  const sync = opts.sync ?? freshSync();
  const meta: Record<string, Uint8Array> = {
    [META.schema]: Buffer.from(CHUNK_SCHEMA_JSON),
    [META.codec]: Buffer.from('null'),
    [META.format]: Buffer.from(String(FORMAT_VERSION)),
    [META.chunkSize]: Buffer.from(String(opts.chunkSize)),
    [META.hash]: Buffer.from('sha256'),
    [META.streamId]: Buffer.from(streamId),
  };
  if (opts.source !== undefined) meta[META.source] = Buffer.from(opts.source);
  if (opts.contentType !== undefined) meta[META.contentType] = Buffer.from(opts.contentType);
  if (opts.contentMeta !== undefined) meta[META.contentMeta] = Buffer.from(opts.contentMeta);
  if (opts.boundary !== undefined) meta[META.boundary] = Buffer.from(opts.boundary.toString(16).padStart(2, '0'));
  const map = encodeBytesMap(meta);
  const bytes = new Uint8Array(MAGIC.length + map.length + SYNC_SIZE);
  bytes.set(MAGIC, 0);
  bytes.set(map, MAGIC.length);
  bytes.set(sync, MAGIC.length + map.length);
  const metadata = new Map(Object.entries(meta).map(([k, v]) => [k, new Uint8Array(v)] as const));
  return {
    bytes,
    header: {
      chunkSize: opts.chunkSize,
      streamId,
      source: opts.source,
      contentType: opts.contentType,
      contentMeta: opts.contentMeta,
      boundary: opts.boundary,
      metadata,
      sync,
      length: bytes.length,
      digestHex: createHash('sha256').update(bytes).digest('hex'),
    },
  };
}

export interface HeaderLimits {
  /** Largest header accepted, in bytes. */
  maxHeaderBytes: number;
  /** Largest chunk size accepted from a header. */
  maxChunkSize: number;
}

/** The header is not complete in `buf`: read at least this many bytes and try again. */
export interface NeedMore {
  needMore: true;
}

const text = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a header at the start of `buf`. Returns NeedMore when `buf` ends
 * inside it (and `eof` is false), throws FormatError for anything that is
 * not a hivestream container and FrameTooLargeError past the limits.
 */
export function parseHeader(buf: Uint8Array, eof: boolean, limits: HeaderLimits): ContainerHeader | NeedMore {
  const end = buf.length;
  const short = (offset: number): NeedMore => {
    if (!eof && end < limits.maxHeaderBytes) return { needMore: true };
    if (end >= limits.maxHeaderBytes) throw new FrameTooLargeError('container header', end + 1, limits.maxHeaderBytes, 0);
    throw new TruncatedStreamError(offset, 'container ends inside the header');
  };
  if (end < MAGIC.length) {
    if (!eof) return { needMore: true };
    throw new FormatError('not a hivestream container: too short for an Avro header', { offset: 0 });
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (buf[i] !== MAGIC[i]) throw new FormatError('not a hivestream container: no Avro magic bytes', { offset: i });
  }
  let pos = MAGIC.length;
  const metadata = new Map<string, Uint8Array>();
  // Where each value starts, so errors about a field can name its offset.
  const offsets = new Map<string, number>();
  const bytes = (field: string): Uint8Array | NeedMore => {
    const r = readLong(buf, pos, end);
    if (!r.ok && r.reason === 'unsafe') throw new FrameTooLargeError(`header field ${field}`, Number.MAX_SAFE_INTEGER + 1, limits.maxHeaderBytes, pos);
    if (!r.ok) return r.reason === 'truncated' ? short(pos) : bad(field, `malformed varint (${r.reason})`, pos);
    if (r.value < 0) return bad(field, `negative length ${r.value}`, pos);
    if (r.next + r.value > limits.maxHeaderBytes) {
      throw new FrameTooLargeError(`header field ${field}`, r.value, limits.maxHeaderBytes, pos);
    }
    if (r.next + r.value > end) return short(pos);
    pos = r.next + r.value;
    return buf.subarray(r.next, pos);
  };
  for (;;) {
    const r = readLong(buf, pos, end);
    if (!r.ok) return r.reason === 'truncated' ? short(pos) : bad('metadata', `malformed varint (${r.reason})`, pos);
    pos = r.next;
    let count = r.value;
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      const size = readLong(buf, pos, end);
      if (!size.ok) return size.reason === 'truncated' ? short(pos) : bad('metadata', 'malformed block size', pos);
      pos = size.next;
    }
    if (count > limits.maxHeaderBytes / 2) throw new FrameTooLargeError('header metadata count', count, limits.maxHeaderBytes / 2, pos);
    for (let i = 0; i < count; i++) {
      const k = bytes('metadata key');
      if ('needMore' in k) return k;
      const valueAt = pos;
      const v = bytes('metadata value');
      if ('needMore' in v) return v;
      let key: string;
      try {
        key = text.decode(k);
      } catch (cause) {
        return bad('metadata key', 'invalid UTF-8', pos, cause);
      }
      metadata.set(key, v.slice());
      offsets.set(key, valueAt);
    }
  }
  if (pos + SYNC_SIZE > end) return short(pos);
  const sync = buf.slice(pos, pos + SYNC_SIZE);
  const length = pos + SYNC_SIZE;
  const header = interpret(metadata, offsets, limits);
  return {
    ...header,
    metadata,
    sync,
    length,
    digestHex: createHash('sha256').update(buf.subarray(0, length)).digest('hex'),
  };
}

function bad(field: string, reason: string, offset: number, cause?: unknown): never {
  throw new FormatError(`bad container header: ${reason}`, { offset, field }, { cause });
}

function interpret(
  meta: Map<string, Uint8Array>,
  offsets: Map<string, number>,
  limits: HeaderLimits,
): { chunkSize: number; streamId: string; source: string | undefined; contentType: string | undefined; contentMeta: string | undefined; boundary: number | undefined } {
  // A missing key is reported at the start of the metadata map.
  const at = (key: string): number => offsets.get(key) ?? MAGIC.length;
  const fail = (key: string, reason: string, cause?: unknown): never => bad(key, reason, at(key), cause);
  const get = (key: string): string | undefined => {
    const v = meta.get(key);
    if (v === undefined) return undefined;
    try {
      return text.decode(v);
    } catch (cause) {
      return fail(key, 'value is not UTF-8', cause);
    }
  };
  const format = get(META.format);
  if (format === undefined) throw new FormatError('not a hivestream container: an Avro file without hivestream.format', { field: META.format, offset: MAGIC.length });
  if (format !== String(FORMAT_VERSION)) fail(META.format, `unsupported format version ${JSON.stringify(format)} (this reader knows ${FORMAT_VERSION})`);
  const codec = get(META.codec) ?? 'null';
  if (codec !== 'null') fail(META.codec, `unsupported Avro codec ${JSON.stringify(codec)}`);
  const hash = get(META.hash);
  if (hash !== 'sha256') fail(META.hash, `unsupported hash ${JSON.stringify(hash)}`);
  const schema = get(META.schema);
  if (schema === undefined) fail(META.schema, 'missing');
  else if (schema !== CHUNK_SCHEMA_JSON && !isChunkSchema(schema)) fail(META.schema, 'schema is not hivestream.Chunk format 1');
  const sizeText = get(META.chunkSize) ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(sizeText)) fail(META.chunkSize, `not a positive integer: ${JSON.stringify(sizeText)}`);
  const chunkSize = Number(sizeText);
  if (chunkSize > limits.maxChunkSize) {
    throw new FrameTooLargeError(`chunk size in header (${META.chunkSize})`, chunkSize, limits.maxChunkSize, at(META.chunkSize));
  }
  const streamId = get(META.streamId) ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(streamId)) fail(META.streamId, 'not a UUID');
  const boundaryText = get(META.boundary);
  if (boundaryText !== undefined && !/^[0-9a-f]{2}$/.test(boundaryText)) fail(META.boundary, `not a delimiter byte as two hex digits: ${JSON.stringify(boundaryText.slice(0, 20))}`);
  const boundary = boundaryText === undefined ? undefined : parseInt(boundaryText, 16);
  return { chunkSize, streamId, source: get(META.source), contentType: get(META.contentType), contentMeta: get(META.contentMeta), boundary };
}

/** Avro map<bytes>: one block of entries, then the end marker. */
function encodeBytesMap(meta: Record<string, Uint8Array>): Uint8Array {
  return encodeMap(Object.entries(meta).map(([k, v]) => [new TextEncoder().encode(k), v] as const));
}

/** Header metadata as text: UTF-8 values as they are, anything else as hex. */
export function headerText(metadata: Map<string, Uint8Array>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of metadata) {
    try {
      out[k] = text.decode(v);
    } catch {
      out[k] = Buffer.from(v).toString('hex');
    }
  }
  return out;
}
