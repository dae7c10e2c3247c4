// Pack tasks in a worker: read the chunks (when the main thread gave file
// positions), hash them in place and LZ4 them into the slots' output areas,
// a wave of slots per kernel call.
import { readvSync } from 'node:fs';
import { CODEC_LZ4, CODEC_NONE } from '../format/constants.js';
import { DIGEST_AT, F, controlOffset, inputOffset, outputOffset } from './layout.js';
import type { PackTask, TaskFailure, TaskResult } from './tasks.js';
import { errnoName, field, hashJobs, hasher, inWaves, ioFailure, layout, lz4, lz4Jobs, lz4Results, positions, readFully, readResults, ring, setField } from './worker-context.js';

/** Max buffers per readv (IOV_MAX is 1024 on Linux). */
const READV_MAX = 1024;

/**
 * Reads the chunks of a pack task. Consecutive file ranges are read with one
 * readv into their (scattered) slots: small chunks cost one system call per
 * run of slots, not one per chunk.
 */
function readChunks(task: PackTask, slots: number[]): TaskFailure | null {
  let i = 0;
  while (i < slots.length) {
    const first = slots[i] ?? 0;
    const start = field(first, F.readAt);
    if (start < 0) {
      i++;
      continue;
    }
    const views: Uint8Array[] = [];
    let end = start;
    while (i < slots.length && views.length < READV_MAX) {
      const slot = slots[i] ?? 0;
      if (field(slot, F.readAt) !== end) break;
      const length = field(slot, F.length);
      const at = inputOffset(layout, slot);
      views.push(ring.subarray(at, at + length));
      end += length;
      i++;
    }
    let got: number;
    try {
      got = views.length === 1 ? readFully(task.fd, inputOffset(layout, first), end - start, start) : readvSync(task.fd, views, start);
      // readv may return short (signals, page-cache boundaries): finish view by view.
      let pos = start + got;
      let skip = got;
      for (const v of views) {
        if (skip >= v.length) {
          skip -= v.length;
          continue;
        }
        const n = readFully(task.fd, v.byteOffset + skip, v.length - skip, pos);
        pos += n;
        got += n;
        if (n < v.length - skip) break;
        skip = 0;
      }
    } catch (err) {
      return ioFailure('read', err);
    }
    if (got < end - start) {
      return { kind: 'input-changed', reason: `it ended at byte ${start + got}, ${end - start - got} bytes earlier than its size said` };
    }
  }
  return null;
}

export function pack(task: PackTask): TaskResult {
  return inWaves(task.slots, (slot) => field(slot, F.length), (group) => packWave(task, group));
}

/** Reads, hashes and compresses a few chunks while they are in cache. */
function packWave(task: PackTask, slots: number[]): TaskFailure | null {
  slots.forEach((slot, i) => hashJobs.set([inputOffset(layout, slot), field(slot, F.length), controlOffset(slot) + DIGEST_AT], i * 3));
  if (hasher.readAndHash !== undefined && slots.every((slot) => field(slot, F.readAt) >= 0)) {
    // One native call reads and hashes every chunk, piece by piece.
    slots.forEach((slot, i) => (positions[i] = field(slot, F.readAt)));
    hasher.readAndHash(task.fd, ring, hashJobs, positions, slots.length, readResults);
    for (let i = 0; i < slots.length; i++) {
      const got = readResults[i] ?? 0;
      const length = field(slots[i] ?? 0, F.length);
      if (got < 0) return ioFailure('read', Object.assign(new Error(`read failed (errno ${-got})`), { code: errnoName(-got) }));
      if (got < length) {
        const at = positions[i] ?? 0;
        return { kind: 'input-changed', reason: `it ended at byte ${at + got}, ${length - got} bytes earlier than its size said` };
      }
    }
  } else {
    const failure = readChunks(task, slots);
    if (failure !== null) return failure;
    hasher.hash(ring, hashJobs, slots.length);
  }
  if (task.lz4) {
    slots.forEach((slot, i) => lz4Jobs.set([inputOffset(layout, slot), field(slot, F.length), outputOffset(layout, slot), layout.outputBytes], i * 4));
    lz4.compress(ring, lz4Jobs, slots.length, lz4Results);
  }
  slots.forEach((slot, i) => {
    const length = field(slot, F.length);
    const n = task.lz4 ? (lz4Results[i] ?? 0) : 0;
    // A chunk LZ4 does not shrink is stored raw.
    const compressed = n > 0 && n < length;
    setField(slot, F.codec, compressed ? CODEC_LZ4 : CODEC_NONE);
    setField(slot, F.stored, compressed ? n : length);
  });
  return null;
}
