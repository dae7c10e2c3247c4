// The record index ("trailer/1"), written after a dataset's pages in the
// same raw stream, so it is covered by the chunk digests and the root like
// the records it indexes. Layout (little-endian):
//
//   at D * chunk size (D = data pages; the last data page is padded):
//     "HVIX" | u16 version = 1 | u16 flags = 0 | u64 records N | u64 data pages D | u64 reserved = 0
//     D x u64  first record of each page (as the page header says)
//     N x u32  position of each record's entry (its u32 length) in its page
//   the raw stream's last 16 bytes:
//     "HVIE" | u32 version = 1 | u64 byte offset of "HVIX"
//
// Record i lives in the last page whose first record is <= i. Readers check
// the index against the stream's length before allocating it, and every
// lookup against the (verified) page it points into.
import { IndexError } from '../errors.js';

export const INDEX_MAGIC = Uint8Array.of(0x48, 0x56, 0x49, 0x58); // "HVIX"
const TRAILER_MAGIC = Uint8Array.of(0x48, 0x56, 0x49, 0x45); // "HVIE"
export const INDEX_HEADER = 32;
export const INDEX_TRAILER = 16;
/** hivestream.content_meta `index` value of a dataset that carries this index. */
export const INDEX_KIND = 'trailer/1';

export interface RecordIndex {
  records: number;
  /** First record of each data page. */
  firsts: Float64Array;
  positions: Uint32Array;
}

function u64(dv: DataView, at: number): number {
  return dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 0x100000000;
}

function setU64(dv: DataView, at: number, v: number): void {
  dv.setUint32(at, v % 0x100000000, true);
  dv.setUint32(at + 4, Math.floor(v / 0x100000000), true);
}

/** The index region's bytes, from where it starts (a page boundary) to the end of the stream. */
export function encodeIndex(index: RecordIndex, startOffset: number): Uint8Array {
  const d = index.firsts.length;
  const out = new Uint8Array(INDEX_HEADER + 8 * d + 4 * index.records + INDEX_TRAILER);
  const dv = new DataView(out.buffer);
  out.set(INDEX_MAGIC, 0);
  dv.setUint16(4, 1, true);
  setU64(dv, 8, index.records);
  setU64(dv, 16, d);
  let at = INDEX_HEADER;
  for (const f of index.firsts) {
    setU64(dv, at, f);
    at += 8;
  }
  for (const p of index.positions) {
    dv.setUint32(at, p, true);
    at += 4;
  }
  out.set(TRAILER_MAGIC, at);
  dv.setUint32(at + 4, 1, true);
  setU64(dv, at + 8, startOffset);
  return out;
}

/** True for the first page of an index region (readers in file order stop there). */
export function isIndexPage(page: Uint8Array): boolean {
  return INDEX_MAGIC.every((b, i) => page[i] === b);
}

/** Where the index starts, from the stream's last 16 bytes; checked against the stream. */
export function indexStart(trailer: Uint8Array, rawLength: number, chunkSize: number): number {
  const dv = new DataView(trailer.buffer, trailer.byteOffset, trailer.byteLength);
  if (trailer.length !== INDEX_TRAILER || !TRAILER_MAGIC.every((b, i) => trailer[i] === b) || dv.getUint32(4, true) !== 1) {
    throw new IndexError('the stream does not end with an index trailer (HVIE, version 1)');
  }
  const start = u64(dv, 8);
  if (start % chunkSize !== 0 || start + INDEX_HEADER + INDEX_TRAILER > rawLength) {
    throw new IndexError(`trailer puts the index at raw offset ${start}, not a page boundary before the stream's end (${rawLength} bytes, ${chunkSize}-byte pages)`);
  }
  return start;
}

/** Checks the index header against the region's real size (read as `regionLength` bytes) and returns its counts. */
export function indexCounts(head: Uint8Array, regionLength: number, start: number, chunkSize: number): { records: number; pages: number } {
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (!INDEX_MAGIC.every((b, i) => head[i] === b) || dv.getUint16(4, true) !== 1) throw new IndexError(`no HVIX version 1 header at raw offset ${start}`);
  const records = u64(dv, 8);
  const pages = u64(dv, 16);
  if (pages !== start / chunkSize) throw new IndexError(`index says ${pages} data pages; it starts after ${start / chunkSize}`);
  const need = INDEX_HEADER + 8 * pages + 4 * records + INDEX_TRAILER;
  if (need !== regionLength) throw new IndexError(`index of ${records} records and ${pages} pages takes ${need} bytes; the region holds ${regionLength}`);
  return { records, pages };
}

/** Parses a whole index region (its header already checked by indexCounts). */
export function decodeIndex(region: Uint8Array, records: number, pages: number, chunkSize: number): RecordIndex {
  const dv = new DataView(region.buffer, region.byteOffset, region.byteLength);
  const firsts = new Float64Array(pages);
  let at = INDEX_HEADER;
  for (let p = 0; p < pages; p++, at += 8) {
    const f = u64(dv, at);
    if (f > records || (p === 0 && f !== 0) || (p > 0 && f < (firsts[p - 1] ?? 0))) throw new IndexError(`page ${p} first record ${f} is out of order (of ${records} records)`);
    firsts[p] = f;
  }
  const positions = new Uint32Array(records);
  for (let i = 0; i < records; i++, at += 4) {
    const pos = dv.getUint32(at, true);
    if (pos < 24 || pos + 4 > chunkSize) throw new IndexError(`record ${i} position ${pos} lies outside a ${chunkSize}-byte page`);
    positions[i] = pos;
  }
  return { records, firsts, positions };
}

/** The page that holds record i: the last whose first record is <= i. */
export function pageOf(index: RecordIndex, i: number): number {
  let lo = 0;
  let hi = index.firsts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((index.firsts[mid] ?? 0) <= i) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
