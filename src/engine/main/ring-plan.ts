// What ring slots a stream asks for and how many chunks go in one task part.
// Small chunks are batched so that scheduling stays cheap next to hashing; a
// stream holds enough slots to keep its workers busy while its writer drains,
// and no more than its input can use.
import { ValidationError } from '../../errors.js';
import { RECORD_OVERHEAD_MAX } from '../../format/record.js';
import { SYNC_SIZE } from '../../format/constants.js';
import { lz4Bound } from '../contract/slots.js';
import { MAX_TASK_SLOTS } from '../contract/tasks.js';

export interface StreamPlan {
  /** Slots the stream would use at most, and the fewest it can run with. */
  slots: number;
  minSlots: number;
  /** Chunks per batch (one task part). */
  batch: number;
  /** Sizes of each slot's areas. */
  inputBytes: number;
  outputBytes: number;
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
export const TASK_BYTES = 8 << 20;
/** Input-area memory one stream aims to stay under, unless chunks are huge. */
const STREAM_BUDGET = 96 << 20;
/**
 * Slots one stream takes at most: with tiny chunks the plan above would ask
 * for thousands, and a stream that holds every control block leaves another
 * it depends on (a pack reading from a readChunks) waiting forever.
 */
const STREAM_MAX_SLOTS = 1024;

function batchOf(chunkSize: number): number {
  // At least two chunks: the native SHA-256 hashes a pair in its two lanes
  // (4 MiB chunks, one per task: 1700 MB/s; two: 2170 MB/s).
  return Math.max(2, Math.min(MAX_TASK_SLOTS, Math.floor(TASK_BYTES / chunkSize)));
}

function slotsFor(chunkSize: number, workers: number, batch: number, explicit: number | undefined): number {
  if (explicit !== undefined) {
    if (!Number.isSafeInteger(explicit) || explicit < 2) throw new ValidationError('ringSlots', `${explicit} is not a whole number of at least 2`);
    return explicit;
  }
  // Each worker: one batch running while the next waits or is written. More
  // slots did not help (4 MiB tasks with 4x or 8x as many slots per worker
  // were no faster, or slower).
  return Math.max(workers + 2, Math.min(workers * batch * 2, Math.floor(STREAM_BUDGET / chunkSize), STREAM_MAX_SLOTS));
}

function plan(chunkSize: number, workers: number, explicit: number | undefined, most: number, minSlots: number, inputBytes: number, outputBytes: number): StreamPlan {
  const slots = Math.max(minSlots, Math.min(slotsFor(chunkSize, workers, batchOf(chunkSize), explicit), most));
  // A batch of at most half the slots, so the next one can be read meanwhile.
  const batch = Math.min(batchOf(chunkSize), Math.max(1, Math.floor(slots / 2)));
  return { slots, minSlots, batch, inputBytes, outputBytes };
}

/**
 * A pack stream: a chunk per input area, LZ4's worst case per output area
 * when compressing. A stream of known size never asks for more slots, or
 * bigger areas, than its chunks need; one of unknown size needs two slots at
 * least (the newest chunk waits until the next one shows whether it is final).
 */
export function packPlan(chunkSize: number, workers: number, lz4: boolean, knownSize: number | undefined, slots?: number): StreamPlan {
  const chunks = knownSize === undefined ? Infinity : Math.max(1, Math.ceil(knownSize / chunkSize));
  const input = knownSize === undefined ? chunkSize : Math.max(1, Math.min(knownSize, chunkSize));
  return plan(chunkSize, workers, slots, chunks, chunks === 1 ? 1 : 2, input, lz4 ? lz4Bound(input) : 0);
}

/**
 * An unpack, verify or chunk-reading stream: a whole block in, a chunk out.
 * A container file of known size bounds its blocks (none is larger than the
 * file) and, loosely, how many slots can be busy at once.
 */
export function readPlan(chunkSize: number, workers: number, containerSize: number | undefined, slots?: number): StreamPlan & { recordLimit: number } {
  const recordLimit = chunkSize + RECORD_OVERHEAD_MAX;
  const blockMax = recordLimit + SYNC_SIZE;
  const input = containerSize === undefined ? blockMax : Math.max(1, Math.min(blockMax, containerSize));
  const most = containerSize === undefined ? Infinity : Math.ceil((2 * containerSize) / chunkSize) + 1;
  return { ...plan(chunkSize, workers, slots, most, 1, input, chunkSize), recordLimit };
}
