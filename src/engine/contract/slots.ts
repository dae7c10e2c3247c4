// The contract between the main thread and the workers: the layout of the
// engine's SharedArrayBuffer and the meaning of each slot's control fields.
// Both sides import this one file, so they always agree.
//
//   [control block 0][control block 1]...[control block n-1][arena ...]
//
// A slot is a control block plus an input area and an output area carved
// out of the arena for one stream (main/arena.ts): the control block says
// where its areas are, so slots of streams with different chunk sizes live
// side by side and one task may carry slots of several streams. The input
// area holds a raw chunk (pack) or a container block (unpack/verify); the
// output area holds LZ4 output (pack) or restored bytes (unpack).

export const CONTROL_BYTES = 256;
const CONTROL_F64 = CONTROL_BYTES / 8;
/** Areas start on cache lines. */
export const AREA_ALIGN = 64;

/** How the engine's buffer is laid out: control blocks first, then the arena. */
export interface BufferLayout {
  controlSlots: number;
  arenaBytes: number;
}

export function bufferBytes(l: BufferLayout): number {
  return arenaStart(l) + l.arenaBytes;
}

/** Byte offset of the arena (after the control blocks, page-aligned for huge pages). */
export function arenaStart(l: BufferLayout): number {
  return Math.ceil((l.controlSlots * CONTROL_BYTES) / 4096) * 4096;
}

export function alignArea(n: number): number {
  return Math.ceil(n / AREA_ALIGN) * AREA_ALIGN;
}

/**
 * The Float64 fields of a control block, in index order: the one table both
 * threads use. "main" / "worker" says who writes a field for an operation.
 */
const FIELDS = [
  /** Main, at allocation: byte offset of the slot's input area in the buffer. */
  'inputAt',
  /** Main, at allocation: capacity of the input area. */
  'inputBytes',
  /** Main, at allocation: byte offset of the output area. */
  'outputAt',
  /** Main, at allocation: capacity of the output area (0: none). */
  'outputBytes',
  /** Both: sequence number of the chunk (pack) or record (unpack); main writes it. */
  'sequence',
  /** Raw byte offset of the chunk in the stream. Pack: main. Unpack: worker (decoded). */
  'offset',
  /** Raw length of the chunk. Pack: main. Unpack: worker (decoded). */
  'length',
  /** Stored bytes of the chunk: pack: worker (bytes in the output area when LZ4); unpack: worker (data length in the record). */
  'stored',
  /** CODEC_NONE or CODEC_LZ4. Pack: worker (what it stored). Unpack: worker (decoded). */
  'codec',
  /** Main: file position the worker reads the input area from, or -1 when main filled it. */
  'readAt',
  /** Unpack, main: bytes of the block (record and sync marker) in the input area. */
  'blockLength',
  /** Unpack, worker: buffer byte offset where the restored bytes start (input area for NONE, output area for LZ4). */
  'dataStart',
  /** Unpack, worker: 1 when the record is the final one. */
  'final',
  /** Unpack, main: container offset of the record, for error messages. */
  'blockOffset',
  /** Unpack, worker: 1 when the record carries a well-formed header digest (copied to the headerDigest area). */
  'hasHeaderDigest',
] as const;

export type SlotField = (typeof FIELDS)[number];

type Placement = 'inputAt' | 'inputBytes' | 'outputAt' | 'outputBytes';
/** The fields a pack task uses. */
export type PackField = Placement | 'sequence' | 'offset' | 'length' | 'readAt' | 'codec' | 'stored';
/** The fields an unpack (or verify) task uses: all of them. */
export type UnpackField = SlotField;

const INDEX = Object.fromEntries(FIELDS.map((name, i) => [name, i])) as Record<SlotField, number>;

/** The 32-byte areas of a control block. */
export const AREAS = {
  /** SHA-256 of the chunk's raw bytes: pack: computed; unpack: computed, compared with the record's. */
  digest: 128,
  /** Unpack: the final record's root digest. */
  root: 160,
  /** Unpack: the SHA-256 of the container header that the final record claims. */
  headerDigest: 192,
} as const;
export type Area = keyof typeof AREAS;
if (FIELDS.length * 8 > AREAS.digest) throw new Error('internal: slot fields overlap the digest areas');

/** LZ4's worst case for `n` input bytes, plus the 4-byte size prefix. */
export function lz4Bound(n: number): number {
  return n + Math.floor(n / 255) + 16 + 4;
}

/**
 * A view of the engine's buffer that both threads use: typed access to a
 * slot's control fields and where its areas are. `Field` narrows the fields
 * an operation's code may touch (PackField, UnpackField).
 */
export class RingView<Field extends SlotField = SlotField> {
  readonly bytes: Uint8Array;
  private readonly f64: Float64Array;

  constructor(
    readonly sab: SharedArrayBuffer,
    readonly layout: BufferLayout,
  ) {
    this.bytes = new Uint8Array(sab);
    this.f64 = new Float64Array(sab, 0, layout.controlSlots * CONTROL_F64);
  }

  get(slot: number, field: Field): number {
    return this.f64[slot * CONTROL_F64 + INDEX[field]] ?? Number.NaN;
  }

  set(slot: number, field: Field, value: number): void {
    this.f64[slot * CONTROL_F64 + INDEX[field]] = value;
  }

  /** Byte offset of a slot's 32-byte area in the buffer. */
  areaAt(slot: number, area: Area): number {
    return slot * CONTROL_BYTES + AREAS[area];
  }

  area(slot: number, area: Area): Uint8Array {
    const at = this.areaAt(slot, area);
    return this.bytes.subarray(at, at + 32);
  }

  inputAt(slot: number): number {
    return this.f64[slot * CONTROL_F64 + INDEX.inputAt] ?? 0;
  }

  outputAt(slot: number): number {
    return this.f64[slot * CONTROL_F64 + INDEX.outputAt] ?? 0;
  }

  /** The slot's input area, or its first `length` bytes. */
  input(slot: number, length = this.f64[slot * CONTROL_F64 + INDEX.inputBytes] ?? 0): Uint8Array {
    const at = this.inputAt(slot);
    return this.bytes.subarray(at, at + length);
  }

  output(slot: number, length = this.f64[slot * CONTROL_F64 + INDEX.outputBytes] ?? 0): Uint8Array {
    const at = this.outputAt(slot);
    return this.bytes.subarray(at, at + length);
  }

  /** Records where a slot's areas are (main thread, when the slot is given to a stream). */
  place(slot: number, inputAt: number, inputBytes: number, outputAt: number, outputBytes: number): void {
    const base = slot * CONTROL_F64;
    this.f64[base + INDEX.inputAt] = inputAt;
    this.f64[base + INDEX.inputBytes] = inputBytes;
    this.f64[base + INDEX.outputAt] = outputAt;
    this.f64[base + INDEX.outputBytes] = outputBytes;
  }
}
