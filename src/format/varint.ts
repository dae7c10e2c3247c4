// Avro's zig-zag variable-length integers, limited to JavaScript's safe
// integer range (every count and offset in a container fits in 53 bits).

/** Longest encoding of a safe integer: ceil(54 bits / 7) = 8 bytes, Avro allows 10. */
export const MAX_VARINT_BYTES = 10;

/** Writes `value` zig-zag encoded at `pos`; returns the position after it. */
export function writeLong(buf: Uint8Array, pos: number, value: number): number {
  // Zig-zag on doubles: avoid 32-bit bitwise ops, which would wrap large values.
  let n = value >= 0 ? value * 2 : -value * 2 - 1;
  while (n >= 0x80) {
    buf[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[pos++] = n;
  return pos;
}

/** Number of bytes `writeLong` uses for `value`. */
export function longSize(value: number): number {
  let n = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Result of reading a varint: the value, or why it could not be read. */
export type LongRead =
  | { ok: true; value: number; next: number }
  | { ok: false; reason: 'truncated' | 'overlong' | 'unsafe' };

/**
 * Reads a zig-zag long at `pos`, never past `end`. Reports truncation and
 * values outside the safe integer range instead of returning garbage.
 */
export function readLong(buf: Uint8Array, pos: number, end: number): LongRead {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos >= end) return { ok: false, reason: 'truncated' };
    const b = buf[pos++] ?? 0;
    n += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (n > Number.MAX_SAFE_INTEGER) return { ok: false, reason: 'unsafe' };
      const value = n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      return { ok: true, value, next: pos };
    }
    scale *= 0x80;
  }
  return { ok: false, reason: 'overlong' };
}
