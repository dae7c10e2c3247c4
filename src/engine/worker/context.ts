// What every worker task works with: a view of the engine's buffer (from the
// init message the pool sends once), the kernels of the back ends a task
// names (created on first use), job tables sized for the largest task, and
// the helpers pack and unpack share. Built by an explicit init, not at
// import, so tests (and the engine's inline path) run tasks on the main thread.
import { constants as osConstants } from 'node:os';
import { preadFully } from '../../io/pread.js';
import { RingView } from '../contract/slots.js';
import { MAX_TASK_SLOTS, type PartFailure, type WorkerInit } from '../contract/tasks.js';
import { createHashKernel, createLz4Kernel, type HashKernel, type Lz4Kernel } from '../backends/kernels.js';
import { hashJobTable, lz4JobTable } from '../backends/job-table.js';
import type { BackendChoice } from '../backends/select.js';

export interface Kernels {
  hasher: HashKernel;
  lz4: Lz4Kernel;
}

export interface WorkerContext {
  ring: RingView;
  /** The kernels of a back-end choice, created once per choice. */
  kernels(backends: BackendChoice): Promise<Kernels>;
  /** Job tables, sized for the largest task. */
  hashJobs: Float64Array;
  lz4Jobs: Float64Array;
  lz4Results: Int32Array;
  positions: Float64Array;
  readResults: Int32Array;
}

export function initWorker(init: WorkerInit): WorkerContext {
  const made = new Map<string, Promise<Kernels>>();
  return {
    ring: new RingView(init.sab, init.layout),
    kernels(backends) {
      const key = `${backends.hash}/${backends.lz4}`;
      let k = made.get(key);
      if (k === undefined) {
        k = createHashKernel(backends.hash).then((hasher) => ({ hasher, lz4: createLz4Kernel(backends.lz4) }));
        // A back end that failed to load may be asked for again (and fail again, saying why).
        k.catch(() => made.delete(key));
        made.set(key, k);
      }
      return k;
    },
    hashJobs: hashJobTable(MAX_TASK_SLOTS),
    lz4Jobs: lz4JobTable(MAX_TASK_SLOTS),
    lz4Results: new Int32Array(MAX_TASK_SLOTS),
    positions: new Float64Array(MAX_TASK_SLOTS),
    readResults: new Int32Array(MAX_TASK_SLOTS),
  };
}

/** Reads `length` bytes at file `position` into the buffer at `at`; returns how many were available. */
export function readFully(fd: number, ring: Uint8Array, at: number, length: number, position: number): number {
  return preadFully(fd, ring.subarray(at, at + length), position);
}

/** The name of an errno number (from native reads), as Node would report it. */
export function errnoName(n: number): string {
  return Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0] ?? `ERRNO${n}`;
}

export function ioFailure(operation: string, err: unknown): PartFailure {
  const errno = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
  return { kind: 'io', operation, errno, message: err instanceof Error ? err.message : String(err) };
}

/** A failed native read (results[i] < 0 is -errno) as a failure descriptor. */
export function nativeReadFailure(result: number): PartFailure {
  return ioFailure('read', Object.assign(new Error(`read failed (errno ${-result})`), { code: errnoName(-result) }));
}
