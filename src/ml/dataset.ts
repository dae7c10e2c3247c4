// Random access to a dataset file: `length` and `get(i)` through the record
// index. Opening reads the chunk directory (ChunkFile) and the index once;
// each get then reads the one page that holds the record (more only for a
// record larger than a page), verified by its chunk digest, and checks the
// index against that page's own header and entry list.
import { IndexError, ValidationError } from '../errors.js';
import { ChunkFile, type ChunkFileOptions, type ChunkFileStats } from './chunk-file.js';
import { resolve, resolveFields, type Field, type FieldSpec, type Resolution } from './fields.js';
import { PAGE_HEADER, PAGE_MAGIC } from './pages.js';
import { decodeIndex, indexCounts, indexStart, INDEX_HEADER, INDEX_TRAILER, pageOf, type RecordIndex } from './record-index.js';
import { decodeTyped, type TypedRecord } from './typed-codec.js';
import { parseTypedInfo, type TypedDatasetInfo } from './typed-records.js';

export interface OpenDatasetOptions extends ChunkFileOptions {
  /** The reader's declaration (default: the writer's); resolved by Avro's rules. */
  fields?: FieldSpec[];
}

interface PageHead {
  flags: number;
  first: number;
  count: number;
  end: number;
}

function pageHead(page: Uint8Array, seq: number): PageHead {
  const dv = new DataView(page.buffer, page.byteOffset, page.byteLength);
  if (page.length < PAGE_HEADER || !PAGE_MAGIC.every((b, i) => page[i] === b) || dv.getUint16(4, true) !== 1) throw new IndexError(`chunk ${seq} is not a record page`);
  const end = PAGE_HEADER + dv.getUint32(20, true);
  if (end > page.length) throw new IndexError(`page ${seq} claims ${end} used bytes of ${page.length}`);
  return { flags: dv.getUint16(6, true), first: dv.getUint32(8, true) + dv.getUint32(12, true) * 0x100000000, count: dv.getUint32(16, true), end };
}

export class Dataset {
  readonly plan: Resolution;
  /** Pages whose entry list was checked against the index (each page once). */
  private readonly checked = new Set<number>();

  private constructor(
    private readonly file: ChunkFile,
    readonly info: TypedDatasetInfo,
    private readonly index: RecordIndex | undefined,
    reader: Field[] | undefined,
  ) {
    this.plan = resolve(info.fields, reader);
  }

  static open(path: string, options: OpenDatasetOptions = {}): Dataset {
    const file = ChunkFile.open(path, options);
    try {
      const info = parseTypedInfo(file.header.contentType, file.header.contentMeta);
      const reader = options.fields === undefined ? undefined : resolveFields(options.fields);
      const index = info.index === undefined ? undefined : loadIndex(file);
      return new Dataset(file, info, index, reader);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** The reader's fields. */
  get fields(): Field[] {
    return this.plan.fields;
  }

  get hasIndex(): boolean {
    return this.index !== undefined;
  }

  get length(): number {
    return this.need().records;
  }

  get stats(): ChunkFileStats {
    return this.file.stats;
  }

  get path(): string {
    return this.file.path;
  }

  private need(): RecordIndex {
    if (this.index === undefined) throw new IndexError(`${this.file.path} has no record index; build one with: hivestream index ${this.file.path}`);
    return this.index;
  }

  /** Record i, decoded as the reader declared it. */
  get(i: number): TypedRecord {
    return decodeTyped(this.bytes(i), i, this.plan);
  }

  /** The encoded bytes of record i (verified, checked against the page). */
  bytes(i: number): Uint8Array {
    const index = this.need();
    if (!Number.isSafeInteger(i) || i < 0 || i >= index.records) throw new ValidationError('index', `${String(i)} is outside 0..${index.records - 1}`);
    const seq = pageOf(index, i);
    const page = this.file.chunk(seq);
    const h = pageHead(page, seq);
    if (h.first !== index.firsts[seq]) throw new IndexError(`page ${seq} starts with record ${h.first}; the index says ${index.firsts[seq] ?? -1}`);
    if (i < h.first || i >= h.first + h.count) throw new IndexError(`record ${i} is not among the ${h.count} records starting in page ${seq} (from ${h.first})`);
    const dv = new DataView(page.buffer, page.byteOffset, page.byteLength);
    const u32 = (at: number): number => {
      if (at + 4 > h.end) throw new IndexError(`page ${seq} entry at ${at} runs past its used bytes`);
      return dv.getUint32(at, true);
    };
    if (!this.checked.has(seq)) {
      // Walk the page's entries once: every position the index gives for it must be one.
      let at = PAGE_HEADER;
      if ((h.flags & 1) !== 0) at += 4 + u32(at);
      for (let k = h.first; k < h.first + h.count; k++) {
        if (at !== index.positions[k]) throw new IndexError(`record ${k} starts at byte ${at} of page ${seq}; the index says ${index.positions[k] ?? -1}`);
        at += 4 + Math.min(u32(at), h.end - at - 4);
      }
      this.checked.add(seq);
    }
    const pos = index.positions[i] ?? 0;
    const length = u32(pos);
    const have = Math.min(length, h.end - pos - 4);
    if (have === length) return page.subarray(pos + 4, pos + 4 + length);
    // A record larger than a page carries on at the start of the next pages.
    if (length > (this.file.chunks - seq) * this.file.chunkSize) throw new IndexError(`record ${i} claims ${length} bytes, more than the pages after it hold`);
    const out = new Uint8Array(length);
    out.set(page.subarray(pos + 4, pos + 4 + have));
    let got = have;
    for (let next = seq + 1; got < length; next++) {
      const p = this.file.chunk(next);
      const n = pageHead(p, next);
      const carry = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(PAGE_HEADER, true);
      if ((n.flags & 1) === 0 || carry > length - got || PAGE_HEADER + 4 + carry > n.end) throw new IndexError(`page ${next} does not continue record ${i}`);
      out.set(p.subarray(PAGE_HEADER + 4, PAGE_HEADER + 4 + carry), got);
      got += carry;
    }
    return out;
  }

  close(): void {
    this.file.close();
  }
}

function loadIndex(file: ChunkFile): RecordIndex {
  const raw = file.rawLength;
  if (raw < INDEX_HEADER + INDEX_TRAILER) throw new IndexError(`the stream of ${raw} bytes is too short to hold an index`);
  const start = indexStart(file.range(raw - INDEX_TRAILER, INDEX_TRAILER), raw, file.chunkSize);
  const { records, pages } = indexCounts(file.range(start, INDEX_HEADER), raw - start, start, file.chunkSize);
  const index = decodeIndex(file.range(start, raw - start), records, pages, file.chunkSize);
  // The last data page's own header must end where the index says the records end.
  if (pages > 0) {
    const last = pageHead(file.chunk(pages - 1), pages - 1);
    if (last.first + last.count !== records) throw new IndexError(`index holds ${records} records; the pages hold ${last.first + last.count}`);
  } else if (records > 0) {
    throw new IndexError(`index holds ${records} records and no pages`);
  }
  return index;
}

/** Opens a dataset file for random access (get, length) and training reads. */
export function openDataset(path: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  return Promise.resolve().then(() => Dataset.open(path, options));
}
