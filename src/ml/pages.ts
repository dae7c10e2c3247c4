// Record framing ("pages/1"): encoded records are laid into pages of exactly
// the container's chunk size, so page k is chunk k and every chunk says which
// records it holds. That is what lets a reader name the records a corrupt
// chunk held, or skip them and go on. Layout (little-endian), see docs/ML.md:
//
//   header (24 bytes): "HVRP" | u16 version=1 | u16 flags | u64 firstRecord | u32 count | u32 used
//   [flags & 1: u32 carry | carry bytes continuing the record of the previous page]
//   count x (u32 length | record bytes; only the page's last record may be cut short and continue)
//   zero padding to the page size (the dataset's last page is not padded)
//
// A record goes into the current page when it fits, else it starts a fresh
// page; only a record larger than a whole page spans pages.
import { CorruptRecordsError, FormatError, type HiveError } from '../errors.js';

export const PAGE_MAGIC = Uint8Array.of(0x48, 0x56, 0x52, 0x50); // "HVRP"
export const PAGE_VERSION = 1;
export const PAGE_HEADER = 24;
const FLAG_CONTINUES = 1;
/** Smallest useful start of a record in a page: its length and one byte. */
const MIN_ENTRY = 5;

export class PageWriter {
  private page: Buffer;
  private pos = PAGE_HEADER;
  private first = 0;
  private count = 0;
  private flags = 0;
  /** Index of the next record to start. */
  private next = 0;
  /** First record of each sealed page (what its header says), for the record index. */
  readonly firsts: number[] = [];
  /** Where the last added record's entry (its length) starts in its page. */
  lastPosition = 0;

  constructor(private readonly pageSize: number) {
    this.page = Buffer.alloc(pageSize);
  }

  get records(): number {
    return this.next;
  }

  private room(): number {
    return this.pageSize - this.pos;
  }

  private seal(): Buffer {
    const p = this.page;
    p.set(PAGE_MAGIC, 0);
    p.writeUInt16LE(PAGE_VERSION, 4);
    p.writeUInt16LE(this.flags, 6);
    p.writeUInt32LE(this.first % 0x100000000, 8);
    p.writeUInt32LE(Math.floor(this.first / 0x100000000), 12);
    p.writeUInt32LE(this.count, 16);
    p.writeUInt32LE(this.pos - PAGE_HEADER, 20);
    return p;
  }

  /** Seals the current page (full size, zero-padded) and starts the next. */
  private flush(out: Buffer[], flags = 0): void {
    out.push(this.seal());
    this.firsts.push(this.first);
    this.page = Buffer.alloc(this.pageSize);
    this.pos = PAGE_HEADER;
    this.first = this.next;
    this.count = 0;
    this.flags = flags;
  }

  /** Adds one encoded record; returns the pages it completed (often none). */
  add(record: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    const need = 4 + record.length;
    const fresh = this.pos === PAGE_HEADER && this.flags === 0;
    if (need > this.room() && (need <= this.pageSize - PAGE_HEADER || this.room() < MIN_ENTRY) && !fresh) this.flush(out);
    this.lastPosition = this.pos;
    this.page.writeUInt32LE(record.length, this.pos);
    this.pos += 4;
    let done = Math.min(record.length, this.room());
    this.page.set(record.subarray(0, done), this.pos);
    this.pos += done;
    this.count++;
    this.next++;
    // Larger than what is left of a page: continue in the next pages.
    while (done < record.length) {
      this.flush(out, FLAG_CONTINUES);
      const part = Math.min(record.length - done, this.room() - 4);
      this.page.writeUInt32LE(part, this.pos);
      this.page.set(record.subarray(done, done + part), this.pos + 4);
      this.pos += 4 + part;
      done += part;
    }
    if (this.room() < MIN_ENTRY) this.flush(out);
    return out;
  }

  /** The last page, cut to its used length (a dataset always has one), or whole when an index follows. */
  finish(pad = false): Buffer {
    this.firsts.push(this.first);
    const page = this.seal();
    return pad ? page : page.subarray(0, this.pos);
  }
}

export interface PageRecord {
  index: number;
  /** A view into the page (valid until the next page) or an assembled copy. */
  bytes: Uint8Array;
}

/** Undoes the framing page by page; knows which records a corrupt page held. */
export class PageReader {
  /** Index of the next record expected to start. */
  private next = 0;
  /** A record spanning pages: its buffer and how much has arrived. */
  private partial: { index: number; buf: Uint8Array; got: number } | undefined;
  /** Corrupt pages not yet followed by a good one. */
  private damage: { first: number; chunks: number[]; cause: HiveError } | undefined;
  /** After damage: continuation bytes of a record whose start was lost are dropped. */
  private orphan = false;

  constructor(private readonly pageSize: number) {}

  /** A page failed verification: its records are lost (and any record spanning into it). */
  corrupt(sequence: number, cause: HiveError): void {
    if (this.damage !== undefined) {
      this.damage.chunks.push(sequence);
      return;
    }
    this.damage = { first: this.partial?.index ?? this.next, chunks: [sequence], cause };
    this.partial = undefined;
  }

  /**
   * Reads one verified page. Returns its complete records, and the damage a
   * previous corrupt page did, now that this page says where it ended.
   */
  page(sequence: number, page: Uint8Array, final: boolean): { records: PageRecord[]; damage: CorruptRecordsError | undefined } {
    const fail = (reason: string, field = 'page'): never => {
      throw new FormatError(`bad record page: ${reason}`, { sequence, field });
    };
    if (page.length < PAGE_HEADER) fail(`${page.length} bytes, shorter than a page header`);
    if (!final && page.length !== this.pageSize) fail(`${page.length} bytes in a dataset of ${this.pageSize}-byte pages`);
    const dv = new DataView(page.buffer, page.byteOffset, page.byteLength);
    if (!PAGE_MAGIC.every((b, i) => page[i] === b)) fail('no HVRP magic', 'magic');
    if (dv.getUint16(4, true) !== PAGE_VERSION) fail(`unsupported version ${dv.getUint16(4, true)}`, 'version');
    const flags = dv.getUint16(6, true);
    const first = dv.getUint32(8, true) + dv.getUint32(12, true) * 0x100000000;
    const count = dv.getUint32(16, true);
    const end = PAGE_HEADER + dv.getUint32(20, true);
    if (end > page.length) fail(`used length ${end - PAGE_HEADER} exceeds the page`, 'used');
    let damage: CorruptRecordsError | undefined;
    if (this.damage !== undefined) {
      // This page's first record bounds the damage; a record carried into it was damaged too.
      const d = this.damage;
      damage = new CorruptRecordsError(d.first, Math.max(d.first, first - 1), d.chunks, { cause: d.cause });
      this.damage = undefined;
      this.next = first;
      this.orphan = true;
    } else if (first !== this.next) {
      fail(`first record ${first}, expected ${this.next}`, 'firstRecord');
    }
    let pos = PAGE_HEADER;
    const records: PageRecord[] = [];
    const u32 = (what: string): number => {
      if (pos + 4 > end) fail(`${what} runs past the used length`, 'used');
      const v = dv.getUint32(pos, true);
      pos += 4;
      return v;
    };
    if ((flags & FLAG_CONTINUES) !== 0) {
      const carry = u32('carry length');
      if (carry > end - pos) fail(`carry of ${carry} bytes runs past the used length`, 'carry');
      const p = this.partial;
      if (!this.orphan) {
        if (p === undefined) fail('continues a record, but none is in progress', 'flags');
        else {
          if (carry > p.buf.length - p.got) fail(`carry of ${carry} bytes overruns record ${p.index}`, 'carry');
          p.buf.set(page.subarray(pos, pos + carry), p.got);
          p.got += carry;
          if (p.got === p.buf.length) {
            records.push({ index: p.index, bytes: p.buf });
            this.partial = undefined;
          }
        }
      }
      pos += carry;
    } else if (this.partial !== undefined) {
      fail(`record ${this.partial.index} is cut short`, 'flags');
    }
    // A record starting here, or no continuation, means the lost record has ended.
    if (count > 0 || (flags & FLAG_CONTINUES) === 0) this.orphan = false;
    for (let i = 0; i < count; i++) {
      const length = u32('record length');
      const index = this.next++;
      const avail = Math.min(length, end - pos);
      if (avail < length) {
        if (i !== count - 1 || pos + avail !== end) fail(`record ${index} is cut short before the end of the page`, 'length');
        const buf = new Uint8Array(length);
        buf.set(page.subarray(pos, pos + avail));
        this.partial = { index, buf, got: avail };
      } else {
        records.push({ index, bytes: page.subarray(pos, pos + length) });
      }
      pos += avail;
    }
    if (pos !== end) fail(`${end - pos} bytes after the last record`, 'used');
    if (final && this.partial !== undefined) fail(`record ${this.partial.index} is cut short by the end of the dataset`, 'length');
    return { records, damage };
  }

  /** At the end: damage that ran to the end of the dataset. */
  end(): CorruptRecordsError | undefined {
    const d = this.damage;
    this.damage = undefined;
    return d === undefined ? undefined : new CorruptRecordsError(d.first, undefined, d.chunks, { cause: d.cause });
  }

  /** Records that started so far (the dataset's record count once at the end). */
  get records(): number {
    return this.next;
  }
}
