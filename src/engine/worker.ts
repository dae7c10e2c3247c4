// Piscina worker entry. The ring arrives once, through workerData, with the
// back ends the main thread chose; each task names slots. Pack: read the
// chunks (when the main thread gave file positions), hash them in place, LZ4
// them into the slots' output areas, all slots in one kernel call each.
// Unpack: read the blocks, decode the records, decompress, verify digests.
import { readSync, readvSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { workerData } from 'node:worker_threads';
import { decodeRecord, peekData, type DecodedRecord } from '../format/record.js';
import { CODEC_LZ4, CODEC_NONE, DIGEST_SIZE, HEADER_DIGEST_KEY, SYNC_SIZE } from '../format/constants.js';
import { FormatError } from '../errors.js';
import { CONTROL_F64, DIGEST_AT, F, HEADER_DIGEST_AT, ROOT_AT, controlOffset, inputOffset, outputOffset } from './layout.js';
import { createHashKernel, createLz4Kernel } from './backends/kernels.js';
import type { PackTask, Task, TaskFailure, TaskResult, UnpackTask, WorkerInit } from './tasks.js';

const init = workerData as WorkerInit;
const { layout } = init;
const ring = new Uint8Array(init.sab);
const f64 = new Float64Array(init.sab, 0, layout.slots * CONTROL_F64);
const hasher = await createHashKernel(init.backends.hash);
const lz4 = createLz4Kernel(init.backends.lz4);
// Job tables, sized for the largest batch (a task never names more slots than the ring has).
const hashJobs = new Float64Array(layout.slots * 3);
const lz4Jobs = new Float64Array(layout.slots * 4);
const lz4Results = new Int32Array(layout.slots);
const positions = new Float64Array(layout.slots);
const readResults = new Int32Array(layout.slots);

function field(slot: number, f: number): number {
  return f64[slot * CONTROL_F64 + f] ?? Number.NaN;
}

function setField(slot: number, f: number, value: number): void {
  f64[slot * CONTROL_F64 + f] = value;
}

/** Reads exactly `length` bytes at `position` into the ring; returns how many were available. */
function readFully(fd: number, at: number, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, ring, at + got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** The name of an errno number (from native reads), as Node would report it. */
function errnoName(n: number): string {
  return Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0] ?? `ERRNO${n}`;
}

function ioFailure(operation: string, err: unknown): TaskFailure {
  const errno = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
  return { kind: 'io', operation, errno, message: err instanceof Error ? err.message : String(err) };
}

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

/**
 * Bytes a worker reads before it hashes and compresses them: about what
 * stays in a core's cache. Reading a whole 4 MiB task first and hashing it
 * afterwards ran the hash from memory at ~1.6 GB/s instead of ~2.4 GB/s.
 */
const WAVE_BYTES = 2 << 20;
/**
 * Blocks carry a few framing bytes over their chunk: without this slack a
 * 2 MiB wave held one 1 MiB block instead of two, and the 2-lane SHA-NI path
 * (which pairs equal chunks) went unused in verify and unpack (~15% slower).
 */
const WAVE_SLACK = 64 << 10;

/** Runs `wave` over consecutive groups of slots whose `weight` adds up to about WAVE_BYTES. */
function inWaves(slots: number[], weight: (slot: number) => number, wave: (group: number[]) => TaskFailure | null): TaskResult {
  for (let start = 0; start < slots.length; ) {
    let end = start;
    let bytes = 0;
    while (end < slots.length && (end === start || bytes + weight(slots[end] ?? 0) <= WAVE_BYTES + WAVE_SLACK)) {
      bytes += weight(slots[end] ?? 0);
      end++;
    }
    const failure = wave(slots.slice(start, end));
    if (failure !== null) return failure;
    start = end;
  }
  return null;
}

function pack(task: PackTask): TaskResult {
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

/** Bytes read first from each block: enough for the fields before `data`. */
const HEAD_PEEK = 128;

/**
 * Reads whole blocks into their slots; the data of raw (NONE) records goes
 * through readAndHash, hashed piece by piece as it arrives, like pack's
 * chunks. The record is still decoded and checked in full afterwards.
 */
function readBlocksHashing(task: UnpackTask, slots: number[], hashed: Set<number>): TaskFailure | null {
  const read = (at: number, length: number, position: number, slot: number): TaskFailure | null => {
    let got: number;
    try {
      got = readFully(task.fd, at, length, position);
    } catch (err) {
      return ioFailure('read', err);
    }
    return got < length ? { kind: 'format', reason: 'container ends inside a block', sequence: field(slot, F.sequence), offset: position + got } : null;
  };
  const tails: Array<[number, number, number, number]> = [];
  const order: number[] = [];
  let n = 0;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] ?? 0;
    const blockLength = field(slot, F.blockLength);
    const readAt = field(slot, F.readAt);
    const inAt = inputOffset(layout, slot);
    const peek = Math.min(blockLength, HEAD_PEEK);
    const failure = read(inAt, peek, readAt, slot);
    if (failure !== null) return failure;
    const p = peekData(ring, inAt, inAt + peek, inAt + blockLength - SYNC_SIZE);
    if (p !== undefined && p.codec === CODEC_NONE && p.dataLength > 0) {
      const dataAt = p.dataStart - inAt;
      hashJobs.set([p.dataStart, p.dataLength, controlOffset(slot) + DIGEST_AT], n * 3);
      positions[n] = readAt + dataAt;
      order.push(i);
      n++;
      const rest = dataAt + p.dataLength;
      tails.push([inAt + rest, blockLength - rest, readAt + rest, slot]);
    } else if (blockLength > peek) {
      tails.push([inAt + peek, blockLength - peek, readAt + peek, slot]);
    }
  }
  if (n > 0 && hasher.readAndHash !== undefined) {
    hasher.readAndHash(task.fd, ring, hashJobs, positions, n, readResults);
    for (let j = 0; j < n; j++) {
      const got = readResults[j] ?? 0;
      const slot = slots[order[j] ?? 0] ?? 0;
      if (got < 0) return ioFailure('read', Object.assign(new Error(`read failed (errno ${-got})`), { code: errnoName(-got) }));
      if (got < (hashJobs[j * 3 + 1] ?? 0)) return { kind: 'format', reason: 'container ends inside a block', sequence: field(slot, F.sequence), offset: (positions[j] ?? 0) + got };
      hashed.add(order[j] ?? 0);
    }
  }
  for (const [at, length, position, slot] of tails) {
    const failure = read(at, length, position, slot);
    if (failure !== null) return failure;
  }
  return null;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Reads and decodes one block; the record's fields land in the slot's control block. */
function decodeSlot(slot: number, task: UnpackTask, alreadyRead: boolean): DecodedRecord | TaskFailure {
  const blockLength = field(slot, F.blockLength);
  const readAt = field(slot, F.readAt);
  const sequence = field(slot, F.sequence);
  const blockOffset = field(slot, F.blockOffset);
  const inAt = inputOffset(layout, slot);
  if (readAt >= 0 && !alreadyRead) {
    let got: number;
    try {
      got = readFully(task.fd, inAt, blockLength, readAt);
    } catch (err) {
      return ioFailure('read', err);
    }
    if (got < blockLength) return { kind: 'format', reason: 'container ends inside a block', sequence, offset: readAt + got };
  }
  const block = ring.subarray(inAt, inAt + blockLength);
  const recordEnd = blockLength - SYNC_SIZE;
  for (let i = 0; i < SYNC_SIZE; i++) {
    if (block[recordEnd + i] !== task.sync[i]) {
      return { kind: 'format', reason: 'sync marker mismatch after block', sequence, offset: blockOffset + recordEnd + i, field: 'sync' };
    }
  }
  let rec: DecodedRecord;
  try {
    rec = decodeRecord(block, 0, recordEnd, { sequence, baseOffset: blockOffset, chunkSize: task.chunkSize });
  } catch (err) {
    if (err instanceof FormatError) return { kind: 'format', reason: err.reason, sequence: err.sequence, offset: err.offset, field: err.field };
    throw err;
  }
  if (rec.codec === CODEC_LZ4) {
    const d = rec.dataStart;
    const prefix = rec.dataLength >= 4 ? (block[d] ?? 0) + ((block[d + 1] ?? 0) << 8) + ((block[d + 2] ?? 0) << 16) + (block[d + 3] ?? 0) * 0x1000000 : -1;
    if (prefix !== rec.length) {
      return { kind: 'format', reason: `LZ4 size prefix ${prefix} differs from record length ${rec.length}`, sequence, offset: blockOffset + d, field: 'data' };
    }
  }
  setField(slot, F.offset, rec.offset);
  setField(slot, F.length, rec.length);
  setField(slot, F.codec, rec.codec);
  setField(slot, F.stored, rec.dataLength);
  setField(slot, F.final, rec.final ? 1 : 0);
  setField(slot, F.dataStart, rec.codec === CODEC_LZ4 ? outputOffset(layout, slot) : inAt + rec.dataStart);
  const c = controlOffset(slot);
  if (rec.rootAt >= 0) ring.copyWithin(c + ROOT_AT, inAt + rec.rootAt, inAt + rec.rootAt + DIGEST_SIZE);
  const headerDigest = rec.metadata.get(HEADER_DIGEST_KEY);
  const headerOk = headerDigest !== undefined && /^[0-9a-f]{64}$/.test(headerDigest);
  setField(slot, F.hasHeaderDigest, headerOk ? 1 : 0);
  if (headerOk) ring.set(Buffer.from(headerDigest, 'hex'), c + HEADER_DIGEST_AT);
  return rec;
}

function unpack(task: UnpackTask): TaskResult {
  // An LZ4 block restores up to a chunk: weigh each by what it may restore,
  // so that the restored bytes are hashed while still in cache.
  return inWaves(task.slots, (slot) => Math.max(field(slot, F.blockLength), task.chunkSize), (group) => unpackWave(task, group));
}

/** Reads, decodes, decompresses and verifies a few blocks while they are in cache. */
function unpackWave(task: UnpackTask, slots: number[]): TaskFailure | null {
  // Slots (by index) whose raw data was already hashed while it was read.
  const hashed = new Set<number>();
  const fused = hasher.readAndHash !== undefined && slots.every((slot) => field(slot, F.readAt) >= 0);
  if (fused) {
    const failure = readBlocksHashing(task, slots, hashed);
    if (failure !== null) return failure;
  }
  const records: DecodedRecord[] = [];
  for (const slot of slots) {
    const r = decodeSlot(slot, task, fused);
    if ('kind' in r) return r;
    records.push(r);
  }
  // Decompress every LZ4 chunk of the batch in one call.
  let n = 0;
  const lz4Slots: number[] = [];
  slots.forEach((slot, i) => {
    const rec = records[i];
    if (rec === undefined || rec.codec !== CODEC_LZ4) return;
    const inAt = inputOffset(layout, slot);
    lz4Jobs.set([inAt + rec.dataStart, rec.dataLength, outputOffset(layout, slot), rec.length], n * 4);
    lz4Slots.push(i);
    n++;
  });
  if (n > 0) lz4.decompress(ring, lz4Jobs, n, lz4Results);
  for (let j = 0; j < n; j++) {
    const i = lz4Slots[j] ?? 0;
    const rec = records[i];
    const slot = slots[i] ?? 0;
    if (rec !== undefined && lz4Results[j] !== rec.length) {
      return { kind: 'format', reason: 'corrupt LZ4 data', sequence: field(slot, F.sequence), offset: field(slot, F.blockOffset) + rec.dataStart, field: 'data' };
    }
  }
  // Hash the restored bytes into the digest areas, then compare with the stored digests.
  let h = 0;
  slots.forEach((slot, i) => {
    if (!hashed.has(i)) hashJobs.set([field(slot, F.dataStart), records[i]?.length ?? 0, controlOffset(slot) + DIGEST_AT], h++ * 3);
  });
  if (h > 0) hasher.hash(ring, hashJobs, h);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] ?? 0;
    const rec = records[i];
    if (rec === undefined) continue;
    const at = controlOffset(slot) + DIGEST_AT;
    const digest = ring.subarray(at, at + DIGEST_SIZE);
    const inAt = inputOffset(layout, slot);
    const stored = ring.subarray(inAt + rec.digestAt, inAt + rec.digestAt + DIGEST_SIZE);
    if (!digest.every((b, k) => b === stored[k])) {
      return { kind: 'checksum', sequence: field(slot, F.sequence), offset: field(slot, F.blockOffset) + rec.digestAt, expected: hex(stored), actual: hex(digest), streamOffset: rec.offset };
    }
  }
  return null;
}

const stallCell = new Int32Array(new SharedArrayBuffer(4));

export default function run(task: Task): TaskResult {
  if (task.fault === 'crash') process.exit(70);
  if (task.fault === 'error') return { kind: 'transient', message: 'injected transient fault' };
  // A stall blocks the thread, as a hung native call would; the task's
  // deadline makes Piscina terminate this worker.
  if (task.fault === 'stall') Atomics.wait(stallCell, 0, 0, task.stallMs ?? 60_000);
  return task.op === 'pack' ? pack(task) : unpack(task);
}
