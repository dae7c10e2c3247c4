// Piscina worker entry. The ring arrives once, through workerData; each task
// names slots. Pack: read the chunk (when the main thread gave a file
// position), hash it in place, LZ4 it into the slot's output area. Unpack:
// read the block, decode the record, decompress, verify the digest.
import { readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { decodeRecord } from '../format/record.js';
import { CODEC_LZ4, CODEC_NONE, DIGEST_SIZE, HEADER_DIGEST_KEY, SYNC_SIZE } from '../format/constants.js';
import { FormatError } from '../errors.js';
import {
  CONTROL_F64,
  DIGEST_AT,
  F,
  HEADER_DIGEST_AT,
  ROOT_AT,
  controlOffset,
  inputOffset,
  outputOffset,
  type RingLayout,
} from './layout.js';
import { loadKernels } from './kernels.js';
import type { PackTask, Task, TaskFailure, TaskResult, UnpackTask, WorkerInit } from './tasks.js';

const init = workerData as WorkerInit;
const layout: RingLayout = init.layout;
const bytes = new Uint8Array(init.sab);
const f64 = new Float64Array(init.sab, 0, layout.slots * CONTROL_F64);
const kernels = loadKernels();

function field(slot: number, f: number): number {
  return f64[slot * CONTROL_F64 + f] ?? Number.NaN;
}

function setField(slot: number, f: number, value: number): void {
  f64[slot * CONTROL_F64 + f] = value;
}

/** Reads exactly `view.length` bytes at `position`; returns how many were available. */
function readFully(fd: number, view: Uint8Array, position: number): number {
  let got = 0;
  while (got < view.length) {
    const n = readSync(fd, view, got, view.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function ioFailure(operation: string, err: unknown): TaskFailure {
  const errno = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
  return { kind: 'io', operation, errno, message: err instanceof Error ? err.message : String(err) };
}

function packSlot(slot: number, task: PackTask): TaskFailure | null {
  const length = field(slot, F.length);
  const readAt = field(slot, F.readAt);
  const inAt = inputOffset(layout, slot);
  const input = bytes.subarray(inAt, inAt + length);
  if (readAt >= 0) {
    let got: number;
    try {
      got = readFully(task.fd, input, readAt);
    } catch (err) {
      return ioFailure('read', err);
    }
    if (got < length) {
      return { kind: 'input-changed', reason: `it ended at byte ${readAt + got}, ${length - got} bytes earlier than its size said` };
    }
  }
  kernels.sha256(input, bytes.subarray(controlOffset(slot) + DIGEST_AT, controlOffset(slot) + DIGEST_AT + DIGEST_SIZE));
  let codec = CODEC_NONE;
  let stored = length;
  if (task.lz4 && length > 0) {
    const outAt = outputOffset(layout, slot);
    const n = kernels.lz4Compress(input, bytes.subarray(outAt, outAt + layout.outputBytes));
    // A chunk LZ4 does not shrink is stored raw.
    if (n > 0 && n < length) {
      codec = CODEC_LZ4;
      stored = n;
    }
  }
  setField(slot, F.codec, codec);
  setField(slot, F.stored, stored);
  return null;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function unpackSlot(slot: number, task: UnpackTask): TaskFailure | null {
  const blockLength = field(slot, F.blockLength);
  const readAt = field(slot, F.readAt);
  const sequence = field(slot, F.sequence);
  const blockOffset = field(slot, F.blockOffset);
  const inAt = inputOffset(layout, slot);
  const block = bytes.subarray(inAt, inAt + blockLength);
  if (readAt >= 0) {
    let got: number;
    try {
      got = readFully(task.fd, block, readAt);
    } catch (err) {
      return ioFailure('read', err);
    }
    if (got < blockLength) {
      return { kind: 'format', reason: 'container ends inside a block', sequence, offset: readAt + got };
    }
  }
  const recordEnd = blockLength - SYNC_SIZE;
  // blockOffset names the first byte of the record (after the block prefix).
  for (let i = 0; i < SYNC_SIZE; i++) {
    if (block[recordEnd + i] !== task.sync[i]) {
      return { kind: 'format', reason: 'sync marker mismatch after block', sequence, offset: blockOffset + recordEnd + i, field: 'sync' };
    }
  }
  let rec;
  try {
    rec = decodeRecord(block, 0, recordEnd, { sequence, baseOffset: blockOffset, chunkSize: task.chunkSize });
  } catch (err) {
    if (err instanceof FormatError) {
      return { kind: 'format', reason: err.reason, sequence: err.sequence, offset: err.offset, field: err.field };
    }
    throw err;
  }
  let restored: Uint8Array;
  if (rec.codec === CODEC_LZ4) {
    const outAt = outputOffset(layout, slot);
    const out = bytes.subarray(outAt, outAt + rec.length);
    const data = block.subarray(rec.dataStart, rec.dataStart + rec.dataLength);
    const prefix = data.length >= 4 ? (data[0] ?? 0) | ((data[1] ?? 0) << 8) | ((data[2] ?? 0) << 16) | ((data[3] ?? 0) << 24) : -1;
    if (prefix !== rec.length) {
      return { kind: 'format', reason: `LZ4 size prefix ${prefix} differs from record length ${rec.length}`, sequence, offset: blockOffset + rec.dataStart, field: 'data' };
    }
    const n = kernels.lz4Decompress(data, out);
    if (n !== rec.length) {
      return { kind: 'format', reason: 'corrupt LZ4 data', sequence, offset: blockOffset + rec.dataStart, field: 'data' };
    }
    restored = out;
    setField(slot, F.dataStart, outAt);
  } else {
    restored = block.subarray(rec.dataStart, rec.dataStart + rec.length);
    setField(slot, F.dataStart, inAt + rec.dataStart);
  }
  const digestAt = controlOffset(slot) + DIGEST_AT;
  const digest = bytes.subarray(digestAt, digestAt + DIGEST_SIZE);
  kernels.sha256(restored, digest);
  const stored = block.subarray(rec.digestAt, rec.digestAt + DIGEST_SIZE);
  if (!equalBytes(digest, stored)) {
    return { kind: 'checksum', sequence, offset: blockOffset + rec.digestAt, expected: hex(stored), actual: hex(digest), streamOffset: rec.offset };
  }
  setField(slot, F.offset, rec.offset);
  setField(slot, F.length, rec.length);
  setField(slot, F.codec, rec.codec);
  setField(slot, F.stored, rec.dataLength);
  setField(slot, F.final, rec.final ? 1 : 0);
  if (rec.rootAt >= 0) bytes.set(block.subarray(rec.rootAt, rec.rootAt + DIGEST_SIZE), controlOffset(slot) + ROOT_AT);
  const headerDigest = rec.metadata.get(HEADER_DIGEST_KEY);
  const headerOk = headerDigest !== undefined && /^[0-9a-f]{64}$/.test(headerDigest);
  setField(slot, F.hasHeaderDigest, headerOk ? 1 : 0);
  if (headerOk) bytes.set(Buffer.from(headerDigest, 'hex'), controlOffset(slot) + HEADER_DIGEST_AT);
  return null;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const stallCell = new Int32Array(new SharedArrayBuffer(4));

export default function run(task: Task): TaskResult {
  if (task.fault === 'crash') process.exit(70);
  if (task.fault === 'error') return { kind: 'transient', message: 'injected transient fault' };
  // A stall blocks the thread, as a hung native call would; the task's
  // deadline makes Piscina terminate this worker.
  if (task.fault === 'stall') Atomics.wait(stallCell, 0, 0, task.stallMs ?? 60_000);
  for (const slot of task.slots) {
    const failure = task.op === 'pack' ? packSlot(slot, task) : unpackSlot(slot, task);
    if (failure !== null) return failure;
  }
  return null;
}
