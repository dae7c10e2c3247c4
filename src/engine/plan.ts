// How many slots the ring gets and how many chunks go in one task. Small
// chunks are batched so that scheduling stays cheap next to hashing; the
// ring holds enough slots to keep every worker busy while the writer drains.
import { ValidationError } from '../errors.js';
import { RECORD_OVERHEAD_MAX } from '../format/record.js';
import { SYNC_SIZE } from '../format/constants.js';
import { lz4Bound, type RingLayout } from './layout.js';

export interface RingPlan {
  slots: number;
  /** Chunks per worker task. */
  batch: number;
}

/**
 * Work per task we aim for, in bytes. A task's round trip (main thread ->
 * worker -> main thread) costs 0.1-0.3 ms on a loaded 2-core machine; at
 * 1 MiB per task that was a third of the time (pack of 1 GiB: ~700 MB/s),
 * at 4 MiB per task it is a few percent (~1500 MB/s, same run).
 */
const TASK_BYTES = 4 << 20;
/** Ring memory we aim to stay under (input areas), unless chunks are huge. */
const RING_BUDGET = 96 << 20;

export function planRing(chunkSize: number, workers: number, slots?: number): RingPlan {
  const batch = Math.max(1, Math.min(1024, Math.floor(TASK_BYTES / chunkSize)));
  if (slots !== undefined) {
    if (!Number.isSafeInteger(slots) || slots < 2) throw new ValidationError('ringSlots', `${slots} is not a whole number of at least 2`);
    return { slots, batch: Math.min(batch, Math.max(1, Math.floor(slots / 2))) };
  }
  // Each worker: one batch running while the next waits or is written. More
  // slots only cost first-touch page faults and cache: 1 GiB pack, 1 MiB
  // chunks, 2 workers measured ~1960 MB/s with 16 slots, ~1840 with 32.
  const wanted = workers * batch * 2;
  const affordable = Math.floor(RING_BUDGET / chunkSize);
  return { slots: Math.max(workers + 2, Math.min(wanted, affordable)), batch };
}

/**
 * The ring a pack run uses: a chunk per input area, LZ4's worst case per
 * output area when compressing. One function for the run and for warming a
 * pool ahead of it, so that both ask the pool cache for the same thing.
 */
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
