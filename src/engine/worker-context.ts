// What every worker task shares: the ring from workerData, the back ends the
// main thread chose, job tables sized for the largest batch, and the helpers
// pack and unpack both use (reads, failures, waves).
import { readSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { workerData } from 'node:worker_threads';
import { CONTROL_F64 } from './layout.js';
import { createHashKernel, createLz4Kernel } from './backends/kernels.js';
import type { TaskFailure, TaskResult, WorkerInit } from './tasks.js';

const init = workerData as WorkerInit;
export const { layout } = init;
export const ring = new Uint8Array(init.sab);
const f64 = new Float64Array(init.sab, 0, layout.slots * CONTROL_F64);
export const hasher = await createHashKernel(init.backends.hash);
export const lz4 = createLz4Kernel(init.backends.lz4);
// Job tables, sized for the largest batch (a task never names more slots than the ring has).
export const hashJobs = new Float64Array(layout.slots * 3);
export const lz4Jobs = new Float64Array(layout.slots * 4);
export const lz4Results = new Int32Array(layout.slots);
export const positions = new Float64Array(layout.slots);
export const readResults = new Int32Array(layout.slots);

export function field(slot: number, f: number): number {
  return f64[slot * CONTROL_F64 + f] ?? Number.NaN;
}

export function setField(slot: number, f: number, value: number): void {
  f64[slot * CONTROL_F64 + f] = value;
}

/** Reads exactly `length` bytes at `position` into the ring; returns how many were available. */
export function readFully(fd: number, at: number, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, ring, at + got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** The name of an errno number (from native reads), as Node would report it. */
export function errnoName(n: number): string {
  return Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0] ?? `ERRNO${n}`;
}

export function ioFailure(operation: string, err: unknown): TaskFailure {
  const errno = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
  return { kind: 'io', operation, errno, message: err instanceof Error ? err.message : String(err) };
}

/**
 * Bytes a worker reads before it hashes and compresses them: about what
 * stays in a core's cache. Reading a whole 4 MiB task first and hashing it
 * afterwards ran the hash from memory at ~1.6 GB/s instead of ~2.4 GB/s.
 */
const WAVE_BYTES = 2 << 20;

/**
 * Runs `wave` over consecutive groups of slots whose `weight` adds up to
 * about WAVE_BYTES. Groups hold an even number of slots where they can: the
 * native SHA-256 pairs equal chunks in its two lanes, and a block's framing
 * bytes had made a 2 MiB wave hold one 1 MiB block instead of two (verify
 * and unpack ran ~15% slower for it).
 */
export function inWaves(slots: number[], weight: (slot: number) => number, wave: (group: number[]) => TaskFailure | null): TaskResult {
  for (let start = 0; start < slots.length; ) {
    let end = start;
    let bytes = 0;
    while (end < slots.length && (end === start || bytes + weight(slots[end] ?? 0) <= WAVE_BYTES)) {
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
