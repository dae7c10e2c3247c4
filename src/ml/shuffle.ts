// Epoch order and partitions, specified so that another implementation (the
// Python reader) computes the same order from the same numbers:
//
//   mix32(x)        = x ^= x>>>16; x *= 0x7feb352d; x ^= x>>>15; x *= 0x846ca68b; x ^= x>>>16  (uint32)
//   epochSeed(s, e) = mix32((mix32(s) + e * 0x9e3779b9) mod 2^32)
//   key(i)          = mix32(mix32(i) ^ epochSeed)            (distinct for every i < 2^32)
//   shuffled order  = record indices sorted by key
//   partition p of P = worldSize x numWorkers (p = rank x numWorkers + workerId):
//                     blocks b of `blockSize` positions of the order with b mod P = p
//
// With blockSize = the DataLoader batch size, the batches a rank's
// DataLoader yields (round robin over its workers) come in the order's
// block sequence, so a count of batches consumed is an exact resume point.
import { ValidationError } from '../errors.js';

export function mix32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function epochSeed(seed: number, epoch: number): number {
  return mix32((mix32(seed) + Math.imul(epoch, 0x9e3779b9)) >>> 0);
}

/** The shuffled order of n records (n < 2^32): a radix sort by key, two 16-bit passes. */
export function permutation(n: number, seed: number): Uint32Array {
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = mix32(mix32(i) ^ seed);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let tmp = new Uint32Array(n);
  for (const shift of [0, 16]) {
    const counts = new Uint32Array(65537);
    for (let i = 0; i < n; i++) {
      const d = (((keys[order[i] ?? 0] ?? 0) >>> shift) & 0xffff) + 1;
      counts[d] = (counts[d] ?? 0) + 1;
    }
    for (let d = 0; d < 65536; d++) counts[d + 1] = (counts[d + 1] ?? 0) + (counts[d] ?? 0);
    for (let i = 0; i < n; i++) {
      const o = order[i] ?? 0;
      const d = ((keys[o] ?? 0) >>> shift) & 0xffff;
      tmp[counts[d] ?? 0] = o;
      counts[d] = (counts[d] ?? 0) + 1;
    }
    [order, tmp] = [tmp, order];
  }
  return order;
}

export interface PartitionOptions {
  /** Distributed rank and world size (default 0 of 1). */
  rank?: number;
  worldSize?: number;
  /** DataLoader-style worker id and count within a rank (default 0 of 1). */
  workerId?: number;
  numWorkers?: number;
  /** Consecutive positions of the order that go to one partition (default 1; use the batch size). */
  blockSize?: number;
}

export interface Partition {
  part: number;
  parts: number;
  blockSize: number;
}

function whole(value: number | undefined, fallback: number, field: string, min: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) throw new ValidationError(field, `${String(value)} is not a whole number of at least ${min}`);
  return v;
}

export function resolvePartition(o: PartitionOptions): Partition {
  const worldSize = whole(o.worldSize, 1, 'worldSize', 1);
  const numWorkers = whole(o.numWorkers, 1, 'numWorkers', 1);
  const rank = whole(o.rank, 0, 'rank', 0);
  const workerId = whole(o.workerId, 0, 'workerId', 0);
  if (rank >= worldSize) throw new ValidationError('rank', `${rank} is not below worldSize ${worldSize}`);
  if (workerId >= numWorkers) throw new ValidationError('workerId', `${workerId} is not below numWorkers ${numWorkers}`);
  return { part: rank * numWorkers + workerId, parts: worldSize * numWorkers, blockSize: whole(o.blockSize, 1, 'blockSize', 1) };
}

/** Positions of the order that belong to the partition, from its `skip`-th on. */
export function* partitionPositions(n: number, p: Partition, skip = 0): Generator<number> {
  const { part, parts, blockSize } = p;
  // Whole blocks already consumed, then the rest of the current one.
  let block = part + Math.floor(skip / blockSize) * parts;
  let within = skip % blockSize;
  for (; block * blockSize < n; block += parts, within = 0) {
    const end = Math.min(n, (block + 1) * blockSize);
    for (let pos = block * blockSize + within; pos < end; pos++) yield pos;
  }
}

/** Records in the partition. */
export function partitionSize(n: number, p: Partition): number {
  const blocks = Math.ceil(n / p.blockSize);
  let size = 0;
  for (let b = p.part; b < blocks; b += p.parts) size += Math.min(n, (b + 1) * p.blockSize) - b * p.blockSize;
  return size;
}

/** A counter-based stream of uint32 for the shuffle buffer (same in every implementation). */
export function randomStream(seed: number): () => number {
  let k = 0;
  return () => mix32((seed + Math.imul(k++, 0x9e3779b9)) >>> 0);
}
