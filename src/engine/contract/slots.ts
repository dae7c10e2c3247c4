// The contract between the main thread and the workers: the layout of the
// SharedArrayBuffer ring and the meaning of each slot's control fields. Both
// sides import this one file, so they always agree.
//
//   [control: slots x CONTROL_BYTES][slot 0: input | output][slot 1: ...]...
//
// A slot's control block holds small numbers (Float64 fields, below) and
// three 32-byte areas; the input area holds a raw chunk (pack) or a container
// block (unpack/verify); the output area holds LZ4 output (pack) or restored
// bytes (unpack).

export interface RingLayout {
  slots: number;
  inputBytes: number;
  outputBytes: number;
}

export const CONTROL_BYTES = 256;
const CONTROL_F64 = CONTROL_BYTES / 8;
const ALIGN = 64;

/**
 * The Float64 fields of a control block, in index order: the one table both
 * threads use. "main" / "worker" says who writes a field for an operation.
 */
const FIELDS = [
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
  /** Unpack, worker: ring byte offset where the restored bytes start (input area for NONE, output area for LZ4). */
  'dataStart',
  /** Unpack, worker: 1 when the record is the final one. */
  'final',
  /** Unpack, main: container offset of the record, for error messages. */
  'blockOffset',
  /** Unpack, worker: 1 when the record carries a well-formed header digest (copied to the headerDigest area). */
  'hasHeaderDigest',
] as const;

export type SlotField = (typeof FIELDS)[number];

/** The fields a pack task uses. */
export type PackField = 'sequence' | 'offset' | 'length' | 'readAt' | 'codec' | 'stored';
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

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

export function slotStride(l: RingLayout): number {
  return align(l.inputBytes) + align(l.outputBytes);
}

export function ringBytes(l: RingLayout): number {
  return l.slots * CONTROL_BYTES + l.slots * slotStride(l);
}

/** LZ4's worst case for `n` input bytes, plus the 4-byte size prefix. */
export function lz4Bound(n: number): number {
  return n + Math.floor(n / 255) + 16 + 4;
}

/**
 * A view of the ring that both threads use: where each slot's areas are,
 * and typed access to its control fields. `Field` narrows the fields an
 * operation's code may touch (PackField, UnpackField).
 */
export class RingView<Field extends SlotField = SlotField> {
  readonly bytes: Uint8Array;
  private readonly f64: Float64Array;

  constructor(
    readonly sab: SharedArrayBuffer,
    readonly layout: RingLayout,
  ) {
    this.bytes = new Uint8Array(sab);
    this.f64 = new Float64Array(sab, 0, layout.slots * CONTROL_F64);
  }

  get(slot: number, field: Field): number {
    return this.f64[slot * CONTROL_F64 + INDEX[field]] ?? Number.NaN;
  }

  set(slot: number, field: Field, value: number): void {
    this.f64[slot * CONTROL_F64 + INDEX[field]] = value;
  }

  /** Byte offset of a slot's 32-byte area in the ring. */
  areaAt(slot: number, area: Area): number {
    return slot * CONTROL_BYTES + AREAS[area];
  }

  area(slot: number, area: Area): Uint8Array {
    const at = this.areaAt(slot, area);
    return this.bytes.subarray(at, at + 32);
  }

  inputAt(slot: number): number {
    return this.layout.slots * CONTROL_BYTES + slot * slotStride(this.layout);
  }

  outputAt(slot: number): number {
    return this.inputAt(slot) + align(this.layout.inputBytes);
  }

  input(slot: number, length = this.layout.inputBytes): Uint8Array {
    const at = this.inputAt(slot);
    return this.bytes.subarray(at, at + length);
  }

  output(slot: number, length = this.layout.outputBytes): Uint8Array {
    const at = this.outputAt(slot);
    return this.bytes.subarray(at, at + length);
  }
}
