// How many slots the ring gets and how many chunks go in one task. Small
// chunks are batched so that scheduling stays cheap next to hashing; the
// ring holds enough slots to keep every worker busy while the writer drains.
import { ValidationError } from '../../errors.js';
import { RECORD_OVERHEAD_MAX } from '../../format/record.js';
import { SYNC_SIZE } from '../../format/constants.js';
import { lz4Bound, type RingLayout } from '../contract/slots.js';

export interface RingPlan {
  slots: number;
  /** Chunks per worker task. */
  batch: number;
}

/**
 * Work per task we aim for, in bytes. A task's round trip (main thread ->
 * worker -> main thread) costs 0.1-0.3 ms on a loaded 2-core machine; at
 * 1 MiB per task that was a third of the time (pack of 1 GiB: ~700 MB/s),
 * at 4 MiB per task a few percent (~1500 MB/s, same run). With the ring on
 * huge pages, 8 MiB did better again (1 GiB, 1 MiB chunks, in-process, 7
 * alternating runs: pack 0.52 s vs 0.56, verify 0.51 vs 0.54, unpack of an
 * LZ4 container 0.64 vs 0.73); 16 MiB was no faster and took a 2 GiB LZ4
 * pack's peak RSS past 300 MiB.
 */
const TASK_BYTES = 8 << 20;
/** Ring memory we aim to stay under (input areas), unless chunks are huge. */
const RING_BUDGET = 96 << 20;

export function planRing(chunkSize: number, workers: number, slots?: number): RingPlan {
  // At least two chunks: the native SHA-256 hashes a pair in its two lanes
  // (4 MiB chunks, one per task: 1700 MB/s; two: 2170 MB/s).
  const batch = Math.max(2, Math.min(1024, Math.floor(TASK_BYTES / chunkSize)));
  if (slots !== undefined) {
    if (!Number.isSafeInteger(slots) || slots < 2) throw new ValidationError('ringSlots', `${slots} is not a whole number of at least 2`);
    return { slots, batch: Math.min(batch, Math.max(1, Math.floor(slots / 2))) };
  }
  // Each worker: one batch running while the next waits or is written. More
  // slots did not help (4 MiB tasks with 4x or 8x as many slots per worker
  // were no faster, or slower).
  const wanted = workers * batch * 2;
  const affordable = Math.floor(RING_BUDGET / chunkSize);
  return { slots: Math.max(workers + 2, Math.min(wanted, affordable)), batch };
}

/** The ring a pack run uses: a chunk per input area, LZ4's worst case per output area when compressing. */
export function packRing(chunkSize: number, workers: number, lz4: boolean, slots?: number): { plan: RingPlan; layout: RingLayout } {
  const plan = planRing(chunkSize, workers, slots);
  return { plan, layout: { slots: plan.slots, inputBytes: chunkSize, outputBytes: lz4 ? lz4Bound(chunkSize) : 0 } };
}

/** The ring an unpack, verify or chunk-reading run uses: a whole block in, a chunk out. */
export function readRing(chunkSize: number, workers: number, slots?: number): { plan: RingPlan; layout: RingLayout; recordLimit: number } {
  const plan = planRing(chunkSize, workers, slots);
  const recordLimit = chunkSize + RECORD_OVERHEAD_MAX;
  return { plan, recordLimit, layout: { slots: plan.slots, inputBytes: recordLimit + SYNC_SIZE, outputBytes: chunkSize } };
}
