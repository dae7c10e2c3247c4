// Random access to a container file: any chunk read on its own, verified.
//
// Opening walks the blocks once, reading only the first ~128 bytes of each
// (block prefix, sequence, offset, length, codec, SHA-256) and the final
// record in full: that checks the chain (sequences, raw offsets, lengths),
// the root digest over every stored chunk digest and the header digest,
// before any data is read. A chunk read afterwards is decoded in full and its
// raw bytes hashed against its stored digest, which the root covers: every
// byte handed out is verified, and reading chunk k never touches the others.
// This is the one ML module that works below the public API (format decoders,
// LZ4 back end): the engine reads containers front to back only.
import { createHash } from 'node:crypto';
import { close, fstatSync, openSync } from 'node:fs';
import { preadFully } from '../io/pread.js';
import { ChecksumMismatchError, FormatError, FrameTooLargeError, IoError, TruncatedStreamError } from '../errors.js';
import { parseHeader, type ContainerHeader } from '../format/header.js';
import { decodeRecord, RECORD_OVERHEAD_MAX } from '../format/record.js';
import { CODEC_LZ4, DIGEST_SIZE, HEADER_DIGEST_KEY, SYNC_SIZE } from '../format/constants.js';
import { readLong } from '../format/varint.js';
import { createLz4Kernel, type Lz4Kernel } from '../engine/backends/kernels.js';
import { DEFAULT_MAX_HEADER_BYTES, MAX_CHUNK_SIZE } from '../options.js';

export interface ChunkFileOptions {
  /** Largest chunk size accepted from the header (default 64 MiB). */
  maxChunkSize?: number;
  /** Largest container header accepted (default 1 MiB). */
  maxHeaderBytes?: number;
  /** Decoded chunks kept for reuse (default 2). */
  cacheChunks?: number;
}

/** What a ChunkFile has read so far (container bytes), for the curious and the benchmarks. */
export interface ChunkFileStats {
  /** Container bytes read: the walk at open plus every chunk read. */
  bytesRead: number;
  /** Chunks decoded and verified (cache misses). */
  chunksRead: number;
  cacheHits: number;
}

let lz4: Lz4Kernel | undefined;
function lz4Kernel(): Lz4Kernel {
  if (lz4 === undefined) {
    try {
      lz4 = createLz4Kernel('native');
    } catch {
      lz4 = createLz4Kernel('lz4-napi');
    }
  }
  return lz4;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
/** Bytes read at each block during the walk: prefix (2 longs), 4 longs, the digest, the data length. */
const HEAD_PEEK = 128;

export class ChunkFile {
  readonly stats: ChunkFileStats = { bytesRead: 0, chunksRead: 0, cacheHits: 0 };
  private readonly cache = new Map<number, Uint8Array>();
  private closed = false;

  /** Use ChunkFile.open(). */
  constructor(
    readonly path: string,
    private readonly fd: number,
    readonly header: ContainerHeader,
    /** Container offset of each record (after its block prefix), its size, and its raw length. */
    private readonly recordAt: Float64Array,
    private readonly recordSize: Float64Array,
    private readonly lengths: Float64Array,
    private readonly digests: Uint8Array,
    readonly rootDigest: string,
    private readonly cacheChunks: number,
  ) {}

  get chunkSize(): number {
    return this.header.chunkSize;
  }

  get chunks(): number {
    return this.lengths.length;
  }

  /** Raw bytes the container restores to. */
  get rawLength(): number {
    const n = this.chunks;
    return n === 0 ? 0 : (n - 1) * this.chunkSize + (this.lengths[n - 1] ?? 0);
  }

  /** Text of a header key, or undefined. */
  meta(key: string): string | undefined {
    const v = this.header.metadata.get(key);
    return v === undefined ? undefined : Buffer.from(v).toString('utf8');
  }

  static open(path: string, options: ChunkFileOptions = {}): ChunkFile {
    const fd = openFile(path);
    try {
      return walk(path, fd, options);
    } catch (err) {
      close(fd, () => undefined);
      throw err;
    }
  }

  /** The verified raw bytes of chunk `seq` (shared with the cache: do not modify). */
  chunk(seq: number): Uint8Array {
    if (this.closed) throw new IoError('read', this.path, { cause: new Error('chunk file closed') });
    const hit = this.cache.get(seq);
    if (hit !== undefined) {
      this.stats.cacheHits++;
      this.cache.delete(seq);
      this.cache.set(seq, hit);
      return hit;
    }
    const raw = this.decode(seq);
    this.cache.set(seq, raw);
    while (this.cache.size > this.cacheChunks) {
      const [oldest] = this.cache.keys();
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return raw;
  }

  /** Raw bytes [offset, offset + length) of the stream, from the chunks that hold them, verified. */
  range(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let at = 0;
    for (const piece of this.pieces(offset, length)) {
      out.set(piece, at);
      at += piece.length;
    }
    return out;
  }

  /** The same bytes chunk by chunk (views valid until the next chunk is read): for ranges larger than memory. */
  *pieces(offset: number, length: number): Generator<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.rawLength) {
      throw new FormatError(`raw range ${offset}+${length} lies outside the stream of ${this.rawLength} bytes`, { field: 'range' });
    }
    const size = this.chunkSize;
    let pos = offset;
    const end = offset + length;
    while (pos < end) {
      const seq = Math.floor(pos / size);
      const raw = this.chunk(seq);
      const from = pos - seq * size;
      const to = Math.min(raw.length, end - seq * size);
      yield raw.subarray(from, to);
      pos += to - from;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    close(this.fd, () => undefined);
  }

  private decode(seq: number): Uint8Array {
    const at = this.recordAt[seq];
    const size = this.recordSize[seq];
    const length = this.lengths[seq];
    if (at === undefined || size === undefined || length === undefined) throw new FormatError(`chunk ${seq} does not exist (the container has ${this.chunks})`, { field: 'sequence' });
    const block = new Uint8Array(size + SYNC_SIZE);
    const n = pread(this.fd, block, at, this.path);
    this.stats.bytesRead += n;
    this.stats.chunksRead++;
    if (n < block.length) throw new TruncatedStreamError(at + n, 'container ends inside a block', seq);
    const rec = decodeRecord(block, 0, size, { sequence: seq, baseOffset: at, chunkSize: this.chunkSize });
    const final = seq === this.chunks - 1;
    if (rec.final !== final) throw new FormatError(final ? 'last chunk is not marked final' : 'final flag before the last chunk', { sequence: seq, offset: at, field: 'final' });
    if (rec.length !== length || rec.offset !== seq * this.chunkSize) throw new FormatError('chunk changed since the container was opened', { sequence: seq, offset: at, field: 'length' });
    for (let i = 0; i < SYNC_SIZE; i++) {
      if (block[size + i] !== this.header.sync[i]) throw new FormatError('sync marker mismatch after the block', { sequence: seq, offset: at + size, field: 'sync' });
    }
    let raw: Uint8Array;
    if (rec.codec === CODEC_LZ4) {
      raw = new Uint8Array(length);
      const work = new Uint8Array(rec.dataLength + length);
      work.set(block.subarray(rec.dataStart, rec.dataStart + rec.dataLength));
      const results = new Int32Array(1);
      lz4Kernel().decompress(work, Float64Array.of(0, rec.dataLength, rec.dataLength, length), 1, results);
      if (results[0] !== length) throw new FormatError(`LZ4 data does not restore ${length} bytes (code ${results[0] ?? 0})`, { sequence: seq, offset: at + rec.dataStart, field: 'data' });
      raw.set(work.subarray(rec.dataLength, rec.dataLength + length));
    } else {
      raw = block.slice(rec.dataStart, rec.dataStart + rec.dataLength);
    }
    const expected = hex(this.digests.subarray(seq * DIGEST_SIZE, (seq + 1) * DIGEST_SIZE));
    const stored = hex(block.subarray(rec.digestAt, rec.digestAt + DIGEST_SIZE));
    const actual = createHash('sha256').update(raw).digest('hex');
    // The stored digest must be the one the root was checked over at open, and the data must match it.
    if (stored !== expected) throw new ChecksumMismatchError(seq, at, expected, stored, seq * this.chunkSize);
    if (actual !== expected) throw new ChecksumMismatchError(seq, at, expected, actual, seq * this.chunkSize);
    return raw;
  }
}

/** A positional read, whole unless the file ends; failures are IoErrors naming the path. */
export function pread(fd: number, buf: Uint8Array, position: number, path: string): number {
  try {
    return preadFully(fd, buf, position);
  } catch (cause) {
    throw new IoError('read', path, { cause });
  }
}

/** Opens a file for positional reads; failures are IoErrors naming the path. */
export function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (cause) {
    throw new IoError('open', path, { cause });
  }
}

function readHeader(path: string, fd: number, fileSize: number, maxHeaderBytes: number, maxChunkSize: number): ContainerHeader {
  for (let want = 4096; ; want = Math.min(want * 4, maxHeaderBytes)) {
    const buf = new Uint8Array(Math.min(want, fileSize));
    const n = pread(fd, buf, 0, path);
    const parsed = parseHeader(buf.subarray(0, n), n >= fileSize, { maxHeaderBytes, maxChunkSize });
    if (!('needMore' in parsed)) return parsed;
    if (want >= maxHeaderBytes) throw new FrameTooLargeError('container header', want, maxHeaderBytes, 0);
  }
}

/** Walks the blocks: the chain, every stored digest, the root and the header digest. */
function walk(path: string, fd: number, options: ChunkFileOptions): ChunkFile {
  const fileSize = fstatSync(fd).size;
  const maxChunkSize = options.maxChunkSize ?? MAX_CHUNK_SIZE;
  const header = readHeader(path, fd, fileSize, options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, maxChunkSize);
  const { chunkSize } = header;
  const limit = chunkSize + RECORD_OVERHEAD_MAX;
  const recordAt: number[] = [];
  const recordSize: number[] = [];
  const lengths: number[] = [];
  const digests: Uint8Array[] = [];
  const peek = new Uint8Array(HEAD_PEEK);
  let bytesRead = header.length;
  let pos = header.length;
  for (let seq = 0; pos < fileSize; seq++) {
    const n = pread(fd, peek, pos, path);
    bytesRead += n;
    let p = 0;
    const long = (field: string, base = pos): number => {
      const r = readLong(peek, p, n);
      if (!r.ok) {
        if (r.reason === 'truncated' && pos + n >= fileSize) throw new TruncatedStreamError(base + p, `container ends inside the ${field}`, seq);
        throw new FormatError(`malformed ${field} (${r.reason})`, { sequence: seq, offset: base + p, field });
      }
      p = r.next;
      return r.value;
    };
    const count = long('block count');
    if (count !== 1) throw new FormatError(`block holds ${count} records; hivestream containers hold exactly one per block`, { sequence: seq, offset: pos, field: 'block count' });
    const size = long('block size');
    if (size > limit) throw new FrameTooLargeError('block', size, limit, pos, seq);
    if (size <= 0) throw new FormatError(`block size ${size} is not positive`, { sequence: seq, offset: pos, field: 'block size' });
    const at = pos + p;
    if (at + size + SYNC_SIZE > fileSize) throw new TruncatedStreamError(fileSize, 'container ends inside a block', seq);
    const sequence = long('sequence');
    const offset = long('offset');
    const length = long('length');
    long('codec');
    if (sequence !== seq) throw new FormatError(`expected sequence ${seq}, found ${sequence}`, { sequence: seq, offset: at, field: 'sequence' });
    if (offset !== seq * chunkSize) throw new FormatError(`offset ${offset} does not follow the previous chunks (expected ${seq * chunkSize})`, { sequence: seq, offset: at, field: 'offset' });
    if (length < 0 || length > chunkSize) throw new FormatError(`length ${length} outside 0..${chunkSize}`, { sequence: seq, offset: at, field: 'length' });
    if (seq > 0 && lengths[seq - 1] !== chunkSize) throw new FormatError(`non-final chunk of ${lengths[seq - 1] ?? 0} bytes in a container of ${chunkSize}-byte chunks`, { sequence: seq - 1, field: 'length' });
    if (p + DIGEST_SIZE > n) throw new TruncatedStreamError(pos + n, 'container ends inside a record', seq);
    digests.push(peek.slice(p, p + DIGEST_SIZE));
    recordAt.push(at);
    recordSize.push(size);
    lengths.push(length);
    pos = at + size + SYNC_SIZE;
  }
  const last = recordAt.length - 1;
  const lastAt = recordAt[last];
  const lastSize = recordSize[last];
  if (lastAt === undefined || lastSize === undefined) throw new TruncatedStreamError(pos, 'the container holds no chunk', 0);
  const block = new Uint8Array(lastSize);
  bytesRead += pread(fd, block, lastAt, path);
  const rec = decodeRecord(block, 0, lastSize, { sequence: last, baseOffset: lastAt, chunkSize });
  if (!rec.final) throw new TruncatedStreamError(pos, 'the final chunk is missing', last + 1);
  const all = new Uint8Array(digests.length * DIGEST_SIZE);
  digests.forEach((d, i) => all.set(d, i * DIGEST_SIZE));
  const root = createHash('sha256').update(all).digest('hex');
  const stored = hex(block.subarray(rec.rootAt, rec.rootAt + DIGEST_SIZE));
  if (root !== stored) throw new ChecksumMismatchError(-1, lastAt, stored, root);
  if (rec.metadata.get(HEADER_DIGEST_KEY) !== header.digestHex) {
    throw new FormatError('container header was altered: its SHA-256 differs from the one in the final chunk', { sequence: last, offset: 0, field: 'header' });
  }
  const file = new ChunkFile(
    path,
    fd,
    header,
    Float64Array.from(recordAt),
    Float64Array.from(recordSize),
    Float64Array.from(lengths),
    all,
    root,
    Math.max(1, options.cacheChunks ?? 2),
  );
  file.stats.bytesRead = bytesRead;
  return file;
}
