// Pulls bytes from an async iterable (a Node Readable, a Web ReadableStream,
// a generator) and copies them into caller-supplied buffers, so that a source
// that hands us its own buffers costs exactly one copy, into the ring.
import { ValidationError } from '../errors.js';
import { readLong, type LongRead, MAX_VARINT_BYTES } from '../format/varint.js';

const EMPTY = new Uint8Array(0);

export class StreamReader {
  private readonly it: AsyncIterator<unknown>;
  private cur: Uint8Array = EMPTY;
  private pos = 0;
  private done = false;
  /** Bytes handed out so far. */
  consumed = 0;

  constructor(source: AsyncIterable<unknown>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    while (this.pos >= this.cur.length) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        return false;
      }
      this.cur = toBytes(r.value);
      this.pos = 0;
    }
    return true;
  }

  /** Fills `dest` unless the stream ends first; returns the bytes copied. */
  async read(dest: Uint8Array): Promise<number> {
    let n = 0;
    while (n < dest.length) {
      if (this.pos >= this.cur.length && !(await this.more())) break;
      const k = Math.min(dest.length - n, this.cur.length - this.pos);
      dest.set(this.cur.subarray(this.pos, this.pos + k), n);
      n += k;
      this.pos += k;
    }
    this.consumed += n;
    return n;
  }

  /** Puts bytes back in front of the stream (they were read too far). */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const rest = this.cur.subarray(this.pos);
    const joined = new Uint8Array(bytes.length + rest.length);
    joined.set(bytes, 0);
    joined.set(rest, bytes.length);
    this.cur = joined;
    this.pos = 0;
    this.consumed -= bytes.length;
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return !(await this.more());
  }

  /** Reads one zig-zag long; `eof` when the stream ended before its first byte. */
  async readLong(): Promise<LongRead | 'eof'> {
    const buf = new Uint8Array(MAX_VARINT_BYTES);
    let n = 0;
    while (n < MAX_VARINT_BYTES) {
      if (!(await this.more())) break;
      const b = this.cur[this.pos++] ?? 0;
      this.consumed++;
      buf[n++] = b;
      if ((b & 0x80) === 0) break;
    }
    if (n === 0) return 'eof';
    return readLong(buf, 0, n);
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new ValidationError('source', `yielded a ${typeof value}, expected Uint8Array chunks (a byte stream, not an object or string stream)`);
}
