// Avro container blocks. hivestream writes one record per block, so a block
// is the unit the reader hands to a worker: [count=1][size][record][sync].
import { writeLong, MAX_VARINT_BYTES } from './varint.js';

/** Largest encoded block prefix (two longs). */
export const BLOCK_PREFIX_MAX = 2 * MAX_VARINT_BYTES;

/** Encodes the prefix of a block holding one record of `size` bytes. */
export function encodeBlockPrefix(out: Uint8Array, pos: number, size: number): number {
  pos = writeLong(out, pos, 1);
  return writeLong(out, pos, size);
}
