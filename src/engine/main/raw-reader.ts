// The raw side's reader, shared by pack and process: cuts the input into
// chunks and assigns each to a ring slot (sequence, offset, length; for a
// file, the position its worker reads it from; a stream's bytes the main
// thread copies in), a batch of slots at a time.
//
// Fixed chunks are `chunkSize` bytes (the last one shorter). Delimited
// chunks (a boundary) end just after the last delimiter byte at or before
// `chunkSize`, so no record is split; the last chunk is whatever remains
// once it fits a chunk, delimiter or not. A record longer than `chunkSize`
// gets a chunk of its own, up to `maxRecord` bytes, in a buffer of its own
// (a spill: it does not fit a slot; at most MAX_SPILLS wait at a time);
// over `maxRecord` it is FrameTooLargeError naming its offset. Pack keeps
// `maxRecord` at `chunkSize`: a container's chunks never exceed its chunk size.
import { AbortError, FrameTooLargeError, IoError } from '../../errors.js';
import { preadFully } from '../../io/pread.js';
import type { Input } from '../../io/source.js';
import type { Run } from './run.js';

export interface CutRule {
  chunkSize: number;
  /** Chunks end with this byte (a boundary), or are fixed-size (undefined). */
  delimiter: number | undefined;
  /** Longest chunk one record may get (delimited chunks; at least chunkSize). */
  maxRecord: number;
}

/** A chunk longer than its slot, in a buffer of its own. */
export interface Spill {
  slot: number;
  sab: SharedArrayBuffer;
}

export interface RawBatch {
  slots: number[];
  /** Sequence of the first slot's chunk. */
  first: number;
  /** Raw bytes of the batch. */
  bytes: number;
  spill: Spill[];
}

/** Spilled chunks waiting at once (each up to maxRecord bytes). */
const MAX_SPILLS = 2;
/** Bytes read at a time while looking for a delimiter beyond what a slot holds. */
const SEARCH_STEP = 64 << 10;
const EMPTY = new Uint8Array(0);

interface Cut {
  length: number;
  /** The input ends with this chunk. */
  eof: boolean;
  spill?: SharedArrayBuffer;
}

export class RawReader {
  /** Chunks assigned to slots so far. */
  assigned = 0;
  /** Stream input: bytes read past the last cut, the start of the next chunk. */
  private carry: Uint8Array = EMPTY;
  private readonly spilled = new Set<number>();
  private spillWaiter: (() => void) | undefined;
  private scratch: Buffer | undefined;

  constructor(
    private readonly input: Input,
    private readonly run: Run,
    private readonly batch: number,
    private readonly rule: CutRule,
  ) {}

  /** The consumer is done with a slot's chunk: a spill buffer's place is free again. */
  released(slot: number): void {
    if (!this.spilled.delete(slot)) return;
    const wake = this.spillWaiter;
    this.spillWaiter = undefined;
    wake?.();
  }

  /**
   * Reads the whole input, handing each batch of slots to `submit`; returns
   * the number of chunks, or undefined when the run failed first.
   */
  async read(submit: (batch: RawBatch) => void): Promise<number | undefined> {
    const { run } = this;
    const ring = run.ring;
    let offset = 0;
    while (!run.failed) {
      await run.gate();
      const slots = await run.slots.acquire(this.batch, run.signal);
      let used: number[] = [];
      let spill: Spill[] = [];
      let bytes = 0;
      let consumed = 0;
      let eof = false;
      const flush = (): void => {
        if (used.length > 0) submit({ slots: used, first: this.assigned - used.length, bytes, spill });
        used = [];
        spill = [];
        bytes = 0;
      };
      for (const slot of slots) {
        const cut = await this.cut(slot, offset, flush);
        // An empty input still gets one (empty, final) chunk.
        if (cut.length === 0 && this.assigned > 0) {
          eof = true;
          break;
        }
        ring.set(slot, 'sequence', this.assigned);
        ring.set(slot, 'offset', offset);
        ring.set(slot, 'length', cut.length);
        if (cut.spill !== undefined) {
          spill.push({ slot, sab: cut.spill });
          this.spilled.add(slot);
        }
        used.push(slot);
        consumed++;
        bytes += cut.length;
        this.assigned++;
        offset += cut.length;
        if (cut.eof) {
          eof = true;
          break;
        }
      }
      flush();
      for (const slot of slots.slice(consumed)) run.slots.release(slot);
      if (eof) return this.assigned;
    }
    return undefined;
  }

  /** Cuts the next chunk, at `offset`, into `slot` (or a spill). */
  private async cut(slot: number, offset: number, flush: () => void): Promise<Cut> {
    const { input, rule } = this;
    const ring = this.run.ring;
    if (input.kind === 'file') {
      const remaining = input.size - offset;
      let length = Math.min(rule.chunkSize, remaining);
      if (rule.delimiter !== undefined && remaining > rule.chunkSize) length = this.fileRecordCut(input.fd, input.path, offset, input.size, rule.delimiter);
      if (length <= rule.chunkSize) {
        ring.set(slot, 'readAt', offset);
        return { length, eof: offset + length >= input.size };
      }
      await this.spillRoom(flush);
      const sab = new SharedArrayBuffer(length);
      this.pread(input.fd, input.path, new Uint8Array(sab), offset);
      ring.set(slot, 'readAt', -1);
      return { length, eof: offset + length >= input.size, spill: sab };
    }
    ring.set(slot, 'readAt', -1);
    const want = Math.min(rule.chunkSize, (input.size ?? Infinity) - offset);
    const view = ring.input(slot, want);
    view.set(this.carry);
    let n = this.carry.length;
    this.carry = EMPTY;
    n += await input.reader.read(view.subarray(n));
    if (rule.delimiter === undefined) return { length: n, eof: n < rule.chunkSize || (input.size !== undefined && offset + n >= input.size) };
    const ended = n < rule.chunkSize || (input.size !== undefined ? offset + n >= input.size : await input.reader.atEnd());
    if (ended) return { length: n, eof: true };
    const last = Buffer.from(view.buffer, view.byteOffset, n).lastIndexOf(rule.delimiter);
    if (last >= 0) {
      this.carry = view.slice(last + 1, n);
      return { length: last + 1, eof: false };
    }
    await this.spillRoom(flush);
    return this.streamSpill(view.subarray(0, n), offset, rule.delimiter);
  }

  /** Length of the delimited chunk at `offset` of a file longer than a chunk from there. */
  private fileRecordCut(fd: number, path: string, offset: number, size: number, delimiter: number): number {
    const { chunkSize, maxRecord } = this.rule;
    const scratch = (this.scratch ??= Buffer.allocUnsafe(Math.min(SEARCH_STEP, chunkSize)));
    // The last delimiter within a chunk, read backwards a window at a time.
    for (let end = offset + chunkSize; end > offset; ) {
      const start = Math.max(offset, end - scratch.length);
      const n = this.pread(fd, path, scratch.subarray(0, end - start), start);
      const i = scratch.subarray(0, n).lastIndexOf(delimiter);
      if (i >= 0) return start + i + 1 - offset;
      end = start;
    }
    // A record longer than a chunk: the first delimiter after it, within maxRecord.
    const limit = Math.min(size, offset + maxRecord);
    for (let start = offset + chunkSize; start < limit; start += scratch.length) {
      const n = this.pread(fd, path, scratch.subarray(0, Math.min(scratch.length, limit - start)), start);
      const i = scratch.subarray(0, n).indexOf(delimiter);
      if (i >= 0) return start + i + 1 - offset;
    }
    if (size - offset <= maxRecord) return size - offset;
    throw this.tooLarge(offset);
  }

  /**
   * A stream record longer than a chunk: `head` (a full slot without a
   * delimiter) and what follows, up to the first delimiter, into a buffer of
   * its own; the bytes read past it are carried to the next chunk.
   */
  private async streamSpill(head: Uint8Array, offset: number, delimiter: number): Promise<Cut> {
    const { maxRecord } = this.rule;
    const reader = this.input.kind === 'stream' ? this.input.reader : undefined;
    if (reader === undefined) throw new Error('internal: stream spill of a file');
    let buf = new Uint8Array(Math.min(maxRecord, Math.max(2 * head.length, SEARCH_STEP)));
    buf.set(head);
    let len = head.length;
    for (;;) {
      if (len === buf.length) {
        if (len >= maxRecord) {
          if (await reader.atEnd()) return this.spillOf(buf, len, true);
          throw this.tooLarge(offset);
        }
        const grown = new Uint8Array(Math.min(maxRecord, 2 * len));
        grown.set(buf.subarray(0, len));
        buf = grown;
      }
      const step = buf.subarray(len, Math.min(buf.length, len + Math.min(SEARCH_STEP, this.rule.chunkSize)));
      const got = await reader.read(step);
      const i = Buffer.from(step.buffer, step.byteOffset, got).indexOf(delimiter);
      if (i >= 0) {
        this.carry = step.slice(i + 1, got);
        return this.spillOf(buf, len + i + 1, false);
      }
      len += got;
      if (got < step.length) return this.spillOf(buf, len, true);
    }
  }

  private spillOf(buf: Uint8Array, length: number, eof: boolean): Cut {
    const sab = new SharedArrayBuffer(length);
    new Uint8Array(sab).set(buf.subarray(0, length));
    return { length, eof, spill: sab };
  }

  /** Waits until another spill may be held; what the batch holds so far goes first (its spills may be what frees room). */
  private async spillRoom(flush: () => void): Promise<void> {
    while (this.spilled.size >= MAX_SPILLS) {
      flush();
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(new AbortError('aborted while waiting for room for a long record', { cause: this.run.signal.reason }));
        if (this.run.signal.aborted) {
          onAbort();
          return;
        }
        this.run.signal.addEventListener('abort', onAbort, { once: true });
        this.spillWaiter = () => {
          this.run.signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
  }

  private tooLarge(offset: number): FrameTooLargeError {
    const d = (this.rule.delimiter ?? 0).toString(16).padStart(2, '0');
    return new FrameTooLargeError(`record without a delimiter (0x${d}) from stream offset ${offset}`, this.rule.maxRecord + 1, this.rule.maxRecord, offset, this.assigned);
  }

  private pread(fd: number, path: string, into: Uint8Array, position: number): number {
    try {
      return preadFully(fd, into, position);
    } catch (cause) {
      throw new IoError('read', path, { cause });
    }
  }
}
