// Unpack and verify tasks in a worker: read the blocks, decode the records,
// decompress, and check each chunk's digest, a wave of blocks at a time.
import { decodeRecord, peekData, type DecodedRecord } from '../format/record.js';
import { CODEC_LZ4, CODEC_NONE, DIGEST_SIZE, HEADER_DIGEST_KEY, SYNC_SIZE } from '../format/constants.js';
import { FormatError } from '../errors.js';
import { DIGEST_AT, F, HEADER_DIGEST_AT, ROOT_AT, controlOffset, inputOffset, outputOffset } from './layout.js';
import type { TaskFailure, TaskResult, UnpackTask } from './tasks.js';
import { errnoName, field, hashJobs, hasher, inWaves, ioFailure, layout, lz4, lz4Jobs, lz4Results, positions, readFully, readResults, ring, setField } from './worker-context.js';

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

export function unpack(task: UnpackTask): TaskResult {
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
