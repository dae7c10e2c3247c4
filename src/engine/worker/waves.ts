// A task's slots in waves: read, hash and compress a few chunks while their
// bytes are still in the core's cache, then the next few.
import type { PartFailure, PartResult } from '../contract/tasks.js';

/**
 * Bytes a worker reads before it hashes and compresses them: about what
 * stays in a core's cache. Reading a whole 4 MiB task first and hashing it
 * afterwards ran the hash from memory at ~1.6 GB/s instead of ~2.4 GB/s.
 */
export const WAVE_BYTES = 2 << 20;

/**
 * Runs `wave` over consecutive groups of slots whose `weight` adds up to
 * about WAVE_BYTES (a group holds at least one slot). Groups hold an even
 * number of slots where they can: the native SHA-256 pairs equal chunks in
 * its two lanes, and a block's framing bytes had made a 2 MiB wave hold one
 * 1 MiB block instead of two (verify and unpack ran ~15% slower for it).
 */
export function inWaves(slots: number[], weight: (slot: number) => number, wave: (group: number[]) => PartFailure | null, waveBytes = WAVE_BYTES): PartResult {
  for (let start = 0; start < slots.length; ) {
    let end = start;
    let bytes = 0;
    while (end < slots.length && (end === start || bytes + weight(slots[end] ?? 0) <= waveBytes)) {
      bytes += weight(slots[end] ?? 0);
      end++;
    }
    if ((end - start) % 2 === 1 && end < slots.length) end++;
    const failure = wave(slots.slice(start, end));
    if (failure !== null) return failure;
    start = end;
  }
  return null;
}
