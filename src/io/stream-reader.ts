// Pulls bytes from an async iterable (a Node Readable, a Web ReadableStream,
// a generator) and copies them into caller-supplied buffers, so that a source
// that hands us its own buffers costs exactly one copy, into the ring. A
// source that stalls cannot hold a run: every wait for it settles as soon as
// one of the signals it was told about (cancelOn) aborts.
import { ValidationError } from '../errors.js';
import { abortError } from './abortable.js';
import { readLong, type LongRead, MAX_VARINT_BYTES } from '../format/varint.js';

const EMPTY = new Uint8Array(0);

export class StreamReader {
  private readonly it: AsyncIterator<unknown>;
  private cur: Uint8Array = EMPTY;
  private pos = 0;
  private done = false;
  /** A next() that never settled (the source stalled and the wait was aborted). */
  private stalled = false;
  /** Rejects the read in progress (set while one waits). */
  private interrupt: ((err: Error) => void) | undefined;
  private readonly ctl = new AbortController();
  /** Bytes handed out so far. */
  consumed = 0;

  constructor(source: AsyncIterable<unknown>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    while (this.pos >= this.cur.length) {
      if (this.done) return false;
      if (this.ctl.signal.aborted) throw abortError(this.ctl.signal, 'waiting for the input stream');
      const pending = this.it.next();
      // One abort listener for the reader's life (cancelOn), not one per read: a
      // stream of small pieces makes many reads.
      const r = await new Promise<IteratorResult<unknown>>((resolve, reject) => {
        this.interrupt = reject;
        pending.then(resolve, reject);
      }).finally(() => (this.interrupt = undefined));
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

  /** Makes waits for the source settle (with an AbortError) when `signal` aborts. */
  cancelOn(signal: AbortSignal): void {
    const abort = (): void => {
      if (!this.ctl.signal.aborted) this.ctl.abort(signal.reason);
      const interrupt = this.interrupt;
      if (interrupt === undefined) return;
      // The source's next() is left pending: the reader is stuck in it, and close() must not wait for it.
      this.stalled = true;
      interrupt(abortError(this.ctl.signal, 'waiting for the input stream'));
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  }

  /** Stops reading; true when the source was left stuck in a read (its owner may want to destroy it). */
  async close(): Promise<boolean> {
    if (this.done) return this.stalled;
    this.done = true;
    // A source stuck in next() would also hold return(): ask, without waiting.
    const ret = this.it.return?.();
    if (this.stalled) void Promise.resolve(ret).catch(() => undefined);
    else await ret;
    return this.stalled;
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new ValidationError('source', `yielded a ${typeof value}, expected Uint8Array chunks (a byte stream, not an object or string stream)`);
}
