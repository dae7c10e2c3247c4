// Pack tasks in a worker: read the chunks (when the main thread gave file
// positions), hash them in place and LZ4 them into the slots' output areas,
// a wave of slots per kernel call.
import { readvSync } from 'node:fs';
import { CODEC_LZ4, CODEC_NONE } from '../../format/constants.js';
import type { PackField, RingView } from '../contract/slots.js';
import type { PackPart, PartFailure, PartResult } from '../contract/tasks.js';
import { setHashJob, setLz4Job } from '../backends/job-table.js';
import { inWaves } from './waves.js';
import { ioFailure, nativeReadFailure, readFully, type Kernels, type WorkerContext } from './context.js';

/** Max buffers per readv (IOV_MAX is 1024 on Linux). */
const READV_MAX = 1024;

function shortRead(start: number, got: number, want: number): PartFailure {
  return { kind: 'input-changed', reason: `it ended at byte ${start + got}, ${want - got} bytes earlier than its size said` };
}

/**
 * Reads the chunks of a pack task. Consecutive file ranges are read with one
 * readv into their (scattered) slots: small chunks cost one system call per
 * run of slots, not one per chunk.
 */
function readChunks(ring: RingView<PackField>, fd: number, slots: number[]): PartFailure | null {
  let i = 0;
  while (i < slots.length) {
    const first = slots[i] ?? 0;
    const start = ring.get(first, 'readAt');
    if (start < 0) {
      i++;
      continue;
    }
    const views: Uint8Array[] = [];
    let end = start;
    while (i < slots.length && views.length < READV_MAX) {
      const slot = slots[i] ?? 0;
      if (ring.get(slot, 'readAt') !== end) break;
      const length = ring.get(slot, 'length');
      views.push(ring.input(slot, length));
      end += length;
      i++;
    }
    let got: number;
    try {
      got = views.length === 1 ? readFully(fd, ring.bytes, ring.inputAt(first), end - start, start) : readvSync(fd, views, start);
      // readv may return short (signals, page-cache boundaries): finish view by view.
      let pos = start + got;
      let skip = got;
      for (const v of views) {
        if (skip >= v.length) {
          skip -= v.length;
          continue;
        }
        const n = readFully(fd, ring.bytes, v.byteOffset + skip, v.length - skip, pos);
        pos += n;
        got += n;
        if (n < v.length - skip) break;
        skip = 0;
      }
    } catch (err) {
      return ioFailure('read', err);
    }
    if (got < end - start) return shortRead(start, got, end - start);
  }
  return null;
}

export function pack(ctx: WorkerContext, kernels: Kernels, task: PackPart): PartResult {
  const ring: RingView<PackField> = ctx.ring;
  return inWaves(task.slots, (slot) => ring.get(slot, 'length'), (group) => packWave(ctx, kernels, ring, task, group));
}

/** Reads, hashes and compresses a few chunks while they are in cache. */
function packWave(ctx: WorkerContext, kernels: Kernels, ring: RingView<PackField>, task: PackPart, slots: number[]): PartFailure | null {
  const { hashJobs, positions, readResults } = ctx;
  const { hasher } = kernels;
  slots.forEach((slot, i) => setHashJob(hashJobs, i, ring.inputAt(slot), ring.get(slot, 'length'), ring.areaAt(slot, 'digest')));
  if (hasher.readAndHash !== undefined && slots.every((slot) => ring.get(slot, 'readAt') >= 0)) {
    // One native call reads and hashes every chunk, piece by piece.
    slots.forEach((slot, i) => (positions[i] = ring.get(slot, 'readAt')));
    hasher.readAndHash(task.fd, ring.bytes, hashJobs, positions, slots.length, readResults);
    for (let i = 0; i < slots.length; i++) {
      const got = readResults[i] ?? 0;
      const length = ring.get(slots[i] ?? 0, 'length');
      if (got < 0) return nativeReadFailure(got);
      if (got < length) return shortRead(positions[i] ?? 0, got, length);
    }
  } else {
    const failure = readChunks(ring, task.fd, slots);
    if (failure !== null) return failure;
    hasher.hash(ring.bytes, hashJobs, slots.length);
  }
  const { lz4Jobs, lz4Results } = ctx;
  if (task.lz4) {
    slots.forEach((slot, i) => setLz4Job(lz4Jobs, i, ring.inputAt(slot), ring.get(slot, 'length'), ring.outputAt(slot), ring.get(slot, 'outputBytes')));
    kernels.lz4.compress(ring.bytes, lz4Jobs, slots.length, lz4Results);
  }
  slots.forEach((slot, i) => {
    const length = ring.get(slot, 'length');
    const n = task.lz4 ? (lz4Results[i] ?? 0) : 0;
    // A chunk LZ4 does not shrink is stored raw.
    const compressed = n > 0 && n < length;
    ring.set(slot, 'codec', compressed ? CODEC_LZ4 : CODEC_NONE);
    ring.set(slot, 'stored', compressed ? n : length);
  });
  return null;
}
