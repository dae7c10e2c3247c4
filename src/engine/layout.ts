// Layout of the SharedArrayBuffer ring shared by the main thread and the
// workers. Pure arithmetic, imported by both sides, so they always agree.
//
//   [control: slots x CONTROL_BYTES][slot 0: input | output][slot 1: ...]...
//
// A slot's control block holds small numbers (Float64) and its digests; the
// input area holds a raw chunk (pack) or a container block (unpack/verify);
// the output area holds LZ4 output (pack) or restored bytes (unpack).

export interface RingLayout {
  slots: number;
  inputBytes: number;
  outputBytes: number;
}

export const CONTROL_BYTES = 256;
const ALIGN = 64;

/** Float64 fields of a slot's control block (index within the slot's Float64 view). */
export const F = {
  sequence: 0,
  /** Offset of the chunk in the raw stream. */
  offset: 1,
  /** Raw length of the chunk. */
  length: 2,
  /** Stored length (pack: bytes in the output area when codec is LZ4). */
  stored: 3,
  codec: 4,
  /** File position the worker reads the input from, or -1 when the main thread filled it. */
  readAt: 5,
  /** Unpack: bytes of the block in the input area. */
  blockLength: 6,
  /** Unpack: where the restored bytes start (input area for NONE, output area for LZ4). */
  dataStart: 7,
  final: 8,
  /** Container offset of the block (unpack), for error messages. */
  blockOffset: 9,
  /** Unpack: record metadata size (final record carries the header digest). */
  hasHeaderDigest: 10,
} as const;

export const CONTROL_F64 = CONTROL_BYTES / 8;
/** Byte offsets within a control block. */
export const DIGEST_AT = 128;
export const ROOT_AT = 160;
/** Unpack: SHA-256 of the container header claimed by the final record (hex decoded). */
export const HEADER_DIGEST_AT = 192;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

export function slotStride(l: RingLayout): number {
  return align(l.inputBytes) + align(l.outputBytes);
}

export function ringBytes(l: RingLayout): number {
  return l.slots * CONTROL_BYTES + l.slots * slotStride(l);
}

export function controlOffset(slot: number): number {
  return slot * CONTROL_BYTES;
}

export function inputOffset(l: RingLayout, slot: number): number {
  return l.slots * CONTROL_BYTES + slot * slotStride(l);
}

export function outputOffset(l: RingLayout, slot: number): number {
  return inputOffset(l, slot) + align(l.inputBytes);
}

/** LZ4's worst case for `n` input bytes, plus the 4-byte size prefix. */
export function lz4Bound(n: number): number {
  return n + Math.floor(n / 255) + 16 + 4;
}
