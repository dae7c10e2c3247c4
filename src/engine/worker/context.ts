// What every worker task works with: the ring (from the init message the
// pool sends once), the back ends the main thread chose, job tables sized
// for the largest batch, and the helpers pack and unpack share. Built by an
// explicit init, not at import, so tests can run tasks on the main thread.
import { constants as osConstants } from 'node:os';
import { preadFully } from '../../io/pread.js';
import { RingView } from '../contract/slots.js';
import type { TaskFailure, WorkerInit } from '../contract/tasks.js';
import { createHashKernel, createLz4Kernel, type HashKernel, type Lz4Kernel } from '../backends/kernels.js';
import { hashJobTable, lz4JobTable } from '../backends/job-table.js';

export interface WorkerContext {
  ring: RingView;
  hasher: HashKernel;
  lz4: Lz4Kernel;
  /** Job tables, sized for the largest batch (a task never names more slots than the ring has). */
  hashJobs: Float64Array;
  lz4Jobs: Float64Array;
  lz4Results: Int32Array;
  positions: Float64Array;
  readResults: Int32Array;
}

export async function initWorker(init: WorkerInit): Promise<WorkerContext> {
  const ring = new RingView(init.sab, init.layout);
  const slots = init.layout.slots;
  return {
    ring,
    hasher: await createHashKernel(init.backends.hash),
    lz4: createLz4Kernel(init.backends.lz4),
    hashJobs: hashJobTable(slots),
    lz4Jobs: lz4JobTable(slots),
    lz4Results: new Int32Array(slots),
    positions: new Float64Array(slots),
    readResults: new Int32Array(slots),
  };
}

/** Reads `length` bytes at file `position` into the ring at `at`; returns how many were available. */
export function readFully(fd: number, ring: Uint8Array, at: number, length: number, position: number): number {
  return preadFully(fd, ring.subarray(at, at + length), position);
}

/** The name of an errno number (from native reads), as Node would report it. */
export function errnoName(n: number): string {
  return Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0] ?? `ERRNO${n}`;
}

export function ioFailure(operation: string, err: unknown): TaskFailure {
  const errno = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
  return { kind: 'io', operation, errno, message: err instanceof Error ? err.message : String(err) };
}

/** A failed native read (results[i] < 0 is -errno) as a failure descriptor. */
export function nativeReadFailure(result: number): TaskFailure {
  return ioFailure('read', Object.assign(new Error(`read failed (errno ${-result})`), { code: errnoName(-result) }));
}
