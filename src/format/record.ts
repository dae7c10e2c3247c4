// Encoding and decoding of one hivestream.Chunk record. The writer never
// copies chunk bytes: it encodes the small head (fields before `data`) and
// tail (fields after) and writes the data straight from the ring. The reader
// is bounded: every length is checked against the block before it is used.
import { FormatError } from '../errors.js';
import { readLong, writeLong, longSize, MAX_VARINT_BYTES } from './varint.js';
import { encodeMap } from './avro-map.js';
import { CODEC_LZ4, CODEC_NONE, DIGEST_SIZE, HEADER_DIGEST_KEY } from './constants.js';

/** Upper bound of a record's encoded size beyond its data bytes. */
export const RECORD_OVERHEAD_MAX = 6 * MAX_VARINT_BYTES + 2 * DIGEST_SIZE + 4 + 256;

export interface RecordHead {
  sequence: number;
  offset: number;
  length: number;
  codec: number;
  sha256: Uint8Array;
  storedLength: number;
}

/** Encodes the fields before `data` (including data's length prefix). */
export function encodeHead(out: Uint8Array, pos: number, h: RecordHead): number {
  pos = writeLong(out, pos, h.sequence);
  pos = writeLong(out, pos, h.offset);
  pos = writeLong(out, pos, h.length);
  pos = writeLong(out, pos, h.codec);
  out.set(h.sha256.subarray(0, DIGEST_SIZE), pos);
  pos += DIGEST_SIZE;
  return writeLong(out, pos, h.storedLength);
}

export function headSize(h: RecordHead): number {
  return longSize(h.sequence) + longSize(h.offset) + longSize(h.length) + 1 + DIGEST_SIZE + longSize(h.storedLength);
}

const TAIL_NOT_FINAL = Uint8Array.of(0, 0, 0); // final=false, root=null, metadata={}

/**
 * Encodes `final`, `root` and `metadata`. Only the final record carries a
 * root, the header digest and any `extra` entries (a signature).
 */
export function encodeTail(root: Uint8Array | null, headerDigestHex: string, extra: ReadonlyArray<readonly [string, string]> = []): Uint8Array {
  if (root === null) return TAIL_NOT_FINAL;
  const utf8 = new TextEncoder();
  const map = encodeMap([[HEADER_DIGEST_KEY, headerDigestHex] as const, ...extra].map(([k, v]) => [utf8.encode(k), utf8.encode(v)] as const));
  const out = new Uint8Array(2 + DIGEST_SIZE + map.length);
  out[0] = 1; // final = true
  out[1] = 2; // union branch 1 (Sha256), zig-zag encoded
  out.set(root, 2);
  out.set(map, 2 + DIGEST_SIZE);
  return out;
}

/**
 * Where a record's data lies, read from its first bytes only (the fields
 * before `data`), or undefined when they do not parse: decodeRecord then
 * names what is wrong. Lets a reader stream the data through a hash while
 * reading it.
 */
export function peekData(
  buf: Uint8Array,
  start: number,
  /** End of the bytes read so far (the fields before `data` must lie within). */
  headEnd: number,
  /** End of the record. */
  end: number,
): { codec: number; dataStart: number; dataLength: number } | undefined {
  let pos = start;
  let codec = -1;
  for (let field = 0; field < 4; field++) {
    const r = readLong(buf, pos, headEnd);
    if (!r.ok) return undefined;
    pos = r.next;
    if (field === 3) codec = r.value;
  }
  pos += DIGEST_SIZE;
  const len = readLong(buf, pos, headEnd);
  if (!len.ok || len.value < 0 || len.value > end - len.next) return undefined;
  return { codec, dataStart: len.next, dataLength: len.value };
}

export interface DecodedRecord {
  sequence: number;
  offset: number;
  length: number;
  codec: number;
  /** Position of the stored sha256 digest in the buffer. */
  digestAt: number;
  dataStart: number;
  dataLength: number;
  final: boolean;
  /** Position of the root digest in the buffer, or -1 when the record has none. */
  rootAt: number;
  metadata: Map<string, string>;
}

export interface DecodeContext {
  /** Expected sequence number (names the chunk in errors). */
  sequence: number;
  /** Container byte offset of the buffer's position 0 (for error messages). */
  baseOffset: number;
  chunkSize: number;
}

/** Decodes exactly one record occupying buf[start, end); throws FormatError naming the field. */
export function decodeRecord(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodedRecord {
  let pos = start;
  // Start of the field being read: errors name it.
  let at = start;
  const fail = (field: string, reason: string): never => {
    throw new FormatError(reason, { sequence: ctx.sequence, offset: ctx.baseOffset + at, field });
  };
  const long = (field: string): number => {
    at = pos;
    const r = readLong(buf, pos, end);
    if (!r.ok) return fail(field, `malformed varint (${r.reason})`);
    pos = r.next;
    return r.value;
  };
  const sequence = long('sequence');
  if (sequence !== ctx.sequence) fail('sequence', `expected sequence ${ctx.sequence}, found ${sequence}`);
  const offset = long('offset');
  if (offset < 0) fail('offset', `negative offset ${offset}`);
  const length = long('length');
  if (length < 0 || length > ctx.chunkSize) fail('length', `length ${length} outside 0..${ctx.chunkSize}`);
  const codec = long('codec');
  if (codec !== CODEC_NONE && codec !== CODEC_LZ4) fail('codec', `unknown codec index ${codec}`);
  at = pos;
  if (end - pos < DIGEST_SIZE) fail('sha256', 'record ends inside the digest');
  const digestAt = pos;
  pos += DIGEST_SIZE;
  const dataLength = long('data');
  if (dataLength < 0 || dataLength > end - pos) fail('data', `data length ${dataLength} exceeds the block`);
  const dataStart = pos;
  pos += dataLength;
  if (codec === CODEC_NONE && dataLength !== length) fail('data', `raw data length ${dataLength} differs from length ${length}`);
  at = pos;
  if (pos >= end) fail('final', 'record ends before the final flag');
  const flag = buf[pos++];
  if (flag !== 0 && flag !== 1) fail('final', `invalid boolean byte ${flag}`);
  const final = flag === 1;
  const branch = long('root');
  let rootAt = -1;
  if (branch === 1) {
    at = pos;
    if (end - pos < DIGEST_SIZE) fail('root', 'record ends inside the root digest');
    rootAt = pos;
    pos += DIGEST_SIZE;
  } else if (branch !== 0) {
    fail('root', `invalid union branch ${branch}`);
  }
  if (final !== (rootAt >= 0)) fail('root', final ? 'final record lacks a root digest' : 'root digest on a non-final record');
  const metadata = decodeStringMap(buf, pos, end, (field, reason, where) => {
    at = where;
    return fail(field, reason);
  });
  // Only the final record carries metadata (the header digest, a signature).
  if (!final && metadata.map.size > 0) fail('metadata', `${metadata.map.size} metadata entries on a non-final record`);
  pos = metadata.next;
  at = pos;
  if (pos !== end) fail('metadata', `${end - pos} unexpected bytes after the record`);
  return { sequence, offset, length, codec, digestAt, dataStart, dataLength, final, rootAt, metadata: metadata.map };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes an Avro map<string> bounded by `end`. */
function decodeStringMap(
  buf: Uint8Array,
  pos: number,
  end: number,
  fail: (field: string, reason: string, at: number) => never,
): { map: Map<string, string>; next: number } {
  const map = new Map<string, string>();
  const str = (): string => {
    const r = readLong(buf, pos, end);
    if (!r.ok) return fail('metadata', `malformed varint (${r.reason})`, pos);
    if (r.value < 0 || r.value > end - r.next) return fail('metadata', `string length ${r.value} exceeds the block`, pos);
    try {
      const s = utf8.decode(buf.subarray(r.next, r.next + r.value));
      pos = r.next + r.value;
      return s;
    } catch {
      return fail('metadata', 'invalid UTF-8', r.next);
    }
  };
  for (;;) {
    const r = readLong(buf, pos, end);
    if (!r.ok) return fail('metadata', `malformed varint (${r.reason})`, pos);
    pos = r.next;
    let count = r.value;
    if (count === 0) break;
    if (count < 0) {
      // Negative count: a byte size follows (Avro's skippable blocks).
      count = -count;
      const size = readLong(buf, pos, end);
      if (!size.ok) return fail('metadata', `malformed varint (${size.reason})`, pos);
      pos = size.next;
    }
    // Every entry takes at least two bytes, so the count is bounded by the block.
    if (count > (end - pos) / 2) return fail('metadata', `map count ${count} exceeds the block`, pos);
    for (let i = 0; i < count; i++) {
      const k = str();
      map.set(k, str());
    }
  }
  return { map, next: pos };
}
