// Reading the container side: the header first, then block prefixes one by
// one. Limits are enforced before anything is allocated for a claimed size.
import { FormatError, FrameTooLargeError, IoError, TruncatedStreamError } from '../../errors.js';
import { parseHeader, type ContainerHeader, type HeaderLimits } from '../../format/header.js';
import { readLong, MAX_VARINT_BYTES } from '../../format/varint.js';
import type { Input } from '../../io/source.js';
import { preadFully } from '../../io/pread.js';

/** A positional read on the main thread (io/pread.ts), errors named by path. */
function pread(fd: number, buf: Uint8Array, position: number, path: string): number {
  try {
    return preadFully(fd, buf, position);
  } catch (cause) {
    throw new IoError('read', path, { cause });
  }
}

export async function readContainerHeader(input: Input, limits: HeaderLimits): Promise<ContainerHeader> {
  let want = 4096;
  let buf = new Uint8Array(0);
  for (;;) {
    if (input.kind === 'file') {
      const size = Math.min(want, input.size);
      buf = new Uint8Array(size);
      const n = pread(input.fd, buf, 0, input.path);
      buf = buf.subarray(0, n);
      const parsed = parseHeader(buf, n >= input.size, limits);
      if (!('needMore' in parsed)) return parsed;
    } else {
      const more = new Uint8Array(want - buf.length);
      const n = await input.reader.read(more);
      const joined = new Uint8Array(buf.length + n);
      joined.set(buf, 0);
      joined.set(more.subarray(0, n), buf.length);
      buf = joined;
      const parsed = parseHeader(buf, n < more.length, limits);
      if (!('needMore' in parsed)) {
        input.reader.unread(buf.subarray(parsed.length));
        return parsed;
      }
    }
    if (want >= limits.maxHeaderBytes) {
      throw new FrameTooLargeError('container header', want, limits.maxHeaderBytes, 0);
    }
    want = Math.min(want * 4, limits.maxHeaderBytes);
  }
}

export interface BlockPrefix {
  /** Bytes of the record that follows. */
  size: number;
  /** Bytes the prefix itself took. */
  prefixLength: number;
}

/**
 * Reads the prefix of the block at `pos`: the record count (must be 1) and
 * the byte size (must be within `limit`). Returns null at a clean end.
 */
export async function readBlockPrefix(input: Input, pos: number, seq: number, limit: number): Promise<BlockPrefix | null> {
  let count: number;
  let size: number;
  let prefixLength: number;
  if (input.kind === 'file') {
    if (pos >= input.size) return null;
    const buf = new Uint8Array(Math.min(2 * MAX_VARINT_BYTES, input.size - pos));
    const n = pread(input.fd, buf, pos, input.path);
    const c = readLong(buf, 0, n);
    if (!c.ok) return badPrefix(c.reason, 'block count', pos, seq);
    const s = readLong(buf, c.next, n);
    if (!s.ok) return badPrefix(s.reason, 'block size', pos + c.next, seq, limit);
    count = c.value;
    size = s.value;
    prefixLength = s.next;
  } else {
    const before = input.reader.consumed;
    const c = await input.reader.readLong();
    if (c === 'eof') return null;
    if (!c.ok) return badPrefix(c.reason, 'block count', pos, seq);
    const s = await input.reader.readLong();
    if (s === 'eof') return badPrefix('truncated', 'block size', input.reader.consumed, seq);
    if (!s.ok) return badPrefix(s.reason, 'block size', pos + input.reader.consumed - before, seq, limit);
    count = c.value;
    size = s.value;
    prefixLength = input.reader.consumed - before;
  }
  if (count !== 1) {
    throw new FormatError(`block holds ${count} records; hivestream containers hold exactly one per block`, { sequence: seq, offset: pos, field: 'block count' });
  }
  if (size > limit) throw new FrameTooLargeError('block', size, limit, pos, seq);
  if (size <= 0) throw new FormatError(`block size ${size} is not positive`, { sequence: seq, offset: pos, field: 'block size' });
  return { size, prefixLength };
}

function badPrefix(reason: string, field: string, offset: number, seq: number, limit?: number): never {
  if (reason === 'truncated') throw new TruncatedStreamError(offset, `container ends inside the ${field}`, seq);
  // A size past 2^53 is a claim over any limit, like any other too large a size.
  if (reason === 'unsafe' && limit !== undefined) throw new FrameTooLargeError('block', Number.MAX_SAFE_INTEGER + 1, limit, offset, seq);
  throw new FormatError(`malformed ${field} (${reason})`, { sequence: seq, offset, field });
}

/** Reads a whole block (record and sync marker) at `at` into `into`, on the main thread. */
export async function readBlockBytes(input: Input, into: Uint8Array, at: number, seq: number): Promise<void> {
  const n = input.kind === 'file' ? pread(input.fd, into, at, input.path) : await input.reader.read(into);
  if (n < into.length) throw new TruncatedStreamError(at + n, 'container ends inside a block', seq);
}
