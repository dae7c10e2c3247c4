// Unpack and verify tasks in a worker: read the blocks, decode the records,
// decompress, and check each chunk's digest, a wave of blocks at a time.
import { decodeRecord, peekData, type DecodedRecord } from '../../format/record.js';
import { CODEC_LZ4, CODEC_NONE, DIGEST_SIZE, HEADER_DIGEST_KEY, SYNC_SIZE } from '../../format/constants.js';
import { FormatError } from '../../errors.js';
import { toHex } from '../../util/hex.js';
import type { RingView, UnpackField } from '../contract/slots.js';
import type { PartFailure, PartResult, UnpackPart } from '../contract/tasks.js';
import { hashJob, setHashJob, setLz4Job } from '../backends/job-table.js';
import { inWaves } from './waves.js';
import { ioFailure, nativeReadFailure, readFully, type Kernels, type WorkerContext } from './context.js';

/** Bytes read first from each block: enough for the fields before `data`. */
const HEAD_PEEK = 128;

type Ring = RingView<UnpackField>;

function endsInsideBlock(ring: Ring, slot: number, offset: number): PartFailure {
  return { kind: 'format', reason: 'container ends inside a block', sequence: ring.get(slot, 'sequence'), offset };
}

/** Reads `length` bytes at file `position` into the ring at `at`, or says why not. */
function readInto(ring: Ring, fd: number, at: number, length: number, position: number, slot: number): PartFailure | null {
  let got: number;
  try {
    got = readFully(fd, ring.bytes, at, length, position);
  } catch (err) {
    return ioFailure('read', err);
  }
  return got < length ? endsInsideBlock(ring, slot, position + got) : null;
}

/**
 * Reads whole blocks into their slots; the data of raw (NONE) records goes
 * through readAndHash, hashed piece by piece as it arrives, like pack's
 * chunks. The record is still decoded and checked in full afterwards.
 * Returns the slots (by index) whose data was hashed while read.
 */
function readBlocksHashing(ctx: WorkerContext, kernels: Kernels, ring: Ring, task: UnpackPart, slots: number[], hashed: Set<number>): PartFailure | null {
  const { hashJobs, positions, readResults } = ctx;
  const tails: Array<[number, number, number, number]> = [];
  const order: number[] = [];
  let n = 0;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] ?? 0;
    const blockLength = ring.get(slot, 'blockLength');
    const readAt = ring.get(slot, 'readAt');
    const inAt = ring.inputAt(slot);
    const peek = Math.min(blockLength, HEAD_PEEK);
    const failure = readInto(ring, task.fd, inAt, peek, readAt, slot);
    if (failure !== null) return failure;
    const p = peekData(ring.bytes, inAt, inAt + peek, inAt + blockLength - SYNC_SIZE);
    if (p !== undefined && p.codec === CODEC_NONE && p.dataLength > 0) {
      const dataAt = p.dataStart - inAt;
      setHashJob(hashJobs, n, p.dataStart, p.dataLength, ring.areaAt(slot, 'digest'));
      positions[n] = readAt + dataAt;
      order.push(i);
      n++;
      const rest = dataAt + p.dataLength;
      tails.push([inAt + rest, blockLength - rest, readAt + rest, slot]);
    } else if (blockLength > peek) {
      tails.push([inAt + peek, blockLength - peek, readAt + peek, slot]);
    }
  }
  if (n > 0 && kernels.hasher.readAndHash !== undefined) {
    kernels.hasher.readAndHash(task.fd, ring.bytes, hashJobs, positions, n, readResults);
    for (let j = 0; j < n; j++) {
      const got = readResults[j] ?? 0;
      const slot = slots[order[j] ?? 0] ?? 0;
      if (got < 0) return nativeReadFailure(got);
      if (got < hashJob(hashJobs, j).length) return endsInsideBlock(ring, slot, (positions[j] ?? 0) + got);
      hashed.add(order[j] ?? 0);
    }
  }
  for (const [at, length, position, slot] of tails) {
    const failure = readInto(ring, task.fd, at, length, position, slot);
    if (failure !== null) return failure;
  }
  return null;
}

/** Reads (unless already read) and decodes one block; the record's fields land in the slot's control block. */
function decodeSlot(ring: Ring, slot: number, task: UnpackPart, alreadyRead: boolean): DecodedRecord | PartFailure {
  const blockLength = ring.get(slot, 'blockLength');
  const readAt = ring.get(slot, 'readAt');
  const sequence = ring.get(slot, 'sequence');
  const blockOffset = ring.get(slot, 'blockOffset');
  const inAt = ring.inputAt(slot);
  if (readAt >= 0 && !alreadyRead) {
    const failure = readInto(ring, task.fd, inAt, blockLength, readAt, slot);
    if (failure !== null) return failure;
  }
  const block = ring.input(slot, blockLength);
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
  ring.set(slot, 'offset', rec.offset);
  ring.set(slot, 'length', rec.length);
  ring.set(slot, 'codec', rec.codec);
  ring.set(slot, 'stored', rec.dataLength);
  ring.set(slot, 'final', rec.final ? 1 : 0);
  ring.set(slot, 'dataStart', rec.codec === CODEC_LZ4 ? ring.outputAt(slot) : inAt + rec.dataStart);
  if (rec.rootAt >= 0) ring.area(slot, 'root').set(block.subarray(rec.rootAt, rec.rootAt + DIGEST_SIZE));
  const headerDigest = rec.metadata.get(HEADER_DIGEST_KEY);
  const headerOk = headerDigest !== undefined && /^[0-9a-f]{64}$/.test(headerDigest);
  ring.set(slot, 'hasHeaderDigest', headerOk ? 1 : 0);
  if (headerOk) ring.area(slot, 'headerDigest').set(Buffer.from(headerDigest, 'hex'));
  return rec;
}

export function unpack(ctx: WorkerContext, kernels: Kernels, task: UnpackPart): PartResult {
  const ring: Ring = ctx.ring;
  // An LZ4 block restores up to a chunk: weigh each by what it may restore,
  // so that the restored bytes are hashed while still in cache.
  return inWaves(task.slots, (slot) => Math.max(ring.get(slot, 'blockLength'), task.chunkSize), (group) => unpackWave(ctx, kernels, ring, task, group));
}

/** Reads, decodes, decompresses and verifies a few blocks while they are in cache. */
function unpackWave(ctx: WorkerContext, kernels: Kernels, ring: Ring, task: UnpackPart, slots: number[]): PartFailure | null {
  // Slots (by index) whose raw data was already hashed while it was read.
  const hashed = new Set<number>();
  const fused = kernels.hasher.readAndHash !== undefined && slots.every((slot) => ring.get(slot, 'readAt') >= 0);
  if (fused) {
    const failure = readBlocksHashing(ctx, kernels, ring, task, slots, hashed);
    if (failure !== null) return failure;
  }
  const records: DecodedRecord[] = [];
  for (const slot of slots) {
    const r = decodeSlot(ring, slot, task, fused);
    if ('kind' in r) return r;
    records.push(r);
  }
  // Decompress every LZ4 chunk of the wave in one call.
  const { lz4Jobs, lz4Results, hashJobs } = ctx;
  const lz4Slots: number[] = [];
  slots.forEach((slot, i) => {
    const rec = records[i];
    if (rec === undefined || rec.codec !== CODEC_LZ4) return;
    setLz4Job(lz4Jobs, lz4Slots.length, ring.inputAt(slot) + rec.dataStart, rec.dataLength, ring.outputAt(slot), rec.length);
    lz4Slots.push(i);
  });
  if (lz4Slots.length > 0) kernels.lz4.decompress(ring.bytes, lz4Jobs, lz4Slots.length, lz4Results);
  for (let j = 0; j < lz4Slots.length; j++) {
    const i = lz4Slots[j] ?? 0;
    const rec = records[i];
    const slot = slots[i] ?? 0;
    if (rec !== undefined && lz4Results[j] !== rec.length) {
      return { kind: 'format', reason: 'corrupt LZ4 data', sequence: ring.get(slot, 'sequence'), offset: ring.get(slot, 'blockOffset') + rec.dataStart, field: 'data' };
    }
  }
  // Hash the restored bytes into the digest areas, then compare with the stored digests.
  let h = 0;
  slots.forEach((slot, i) => {
    if (!hashed.has(i)) setHashJob(hashJobs, h++, ring.get(slot, 'dataStart'), records[i]?.length ?? 0, ring.areaAt(slot, 'digest'));
  });
  if (h > 0) kernels.hasher.hash(ring.bytes, hashJobs, h);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] ?? 0;
    const rec = records[i];
    if (rec === undefined) continue;
    const digest = ring.area(slot, 'digest');
    const stored = ring.input(slot, rec.digestAt + DIGEST_SIZE).subarray(rec.digestAt);
    if (!digest.every((b, k) => b === stored[k])) {
      return { kind: 'checksum', sequence: ring.get(slot, 'sequence'), offset: ring.get(slot, 'blockOffset') + rec.digestAt, expected: toHex(stored), actual: toHex(digest), streamOffset: rec.offset };
    }
  }
  return null;
}
