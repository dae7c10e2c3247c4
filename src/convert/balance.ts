// Assigning a job's files to its shards. Every shard walks the whole input
// and computes the same assignment from the same sorted list, without talking
// to the others.
//
// - size (default): longest processing time first, greedy: files in order of
//   cost (largest first, ties by path), each to the shard with the least
//   cost so far (ties to the lowest index). A file costs its size plus
//   PER_FILE_COST, so that empty and tiny files spread by number rather than
//   all landing on the lightest shard. LPT's largest shard is within 4/3 of
//   the best possible split; with many files far smaller than the shards it
//   comes close to an even split. It depends on every file's size: a tree
//   that changes while the shards start can get different assignments
//   (manifest merge then reports files missing or done twice).
// - path: the first 4 bytes of the SHA-256 of each relative path, mod n.
//   Stable when files are added or grow, blind to sizes: a few large files
//   make one shard the straggler of the whole job.
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { shardOf } from './shard.js';

export type Balance = 'size' | 'path';
export const BALANCES: readonly Balance[] = ['size', 'path'];
export const DEFAULT_BALANCE: Balance = 'size';

/** What one file counts for beyond its bytes (opening it, a pool hand-off, a manifest line). */
export const PER_FILE_COST = 64 * 1024;

export interface Sized {
  rel: string;
  /** Bytes (0 for files that are skipped or cannot be read). */
  size: number;
}

export interface Assignment {
  /** Shard index of each file, in the order given. */
  shardOf: Uint32Array;
  /** Bytes and files per shard. */
  shardBytes: number[];
  shardFiles: number[];
  /** SHA-256 over "path TAB shard" lines in path order: shards of one job agree on it. */
  sha256: string;
}

export function parseBalance(text: string | undefined): Balance {
  if (text === undefined) return DEFAULT_BALANCE;
  if (!(BALANCES as readonly string[]).includes(text)) throw new ValidationError('--balance', `${JSON.stringify(text)} is not one of ${BALANCES.join(', ')}`);
  return text as Balance;
}

/** A min-heap of shards keyed by (cost, index): the next file goes to its top. */
class ShardHeap {
  private readonly order: number[];
  constructor(private readonly cost: number[]) {
    this.order = cost.map((_, i) => i);
  }

  private less(a: number, b: number): boolean {
    const ca = this.cost[a] ?? 0;
    const cb = this.cost[b] ?? 0;
    return ca < cb || (ca === cb && a < b);
  }

  private at(i: number): number {
    return this.order[i] ?? 0;
  }

  /** Adds `amount` to the lightest shard and returns its index. */
  addToLightest(amount: number): number {
    const top = this.at(0);
    this.cost[top] = (this.cost[top] ?? 0) + amount;
    // Sift the heavier top down.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.order.length && this.less(this.at(l), this.at(m))) m = l;
      if (r < this.order.length && this.less(this.at(r), this.at(m))) m = r;
      if (m === i) break;
      this.order[i] = this.at(m);
      this.order[m] = top;
      i = m;
    }
    return top;
  }
}

/** Which shard each file goes to. `files` need not be sorted; the result does not depend on their order. */
export function assignShards(files: readonly Sized[], count: number, balance: Balance): Assignment {
  if (!Number.isSafeInteger(count) || count < 1) throw new ValidationError('--shard', `the shard count ${count} is not a whole number of at least 1`);
  const shard = new Uint32Array(files.length);
  if (balance === 'path') {
    files.forEach((f, i) => (shard[i] = shardOf(f.rel, count)));
  } else {
    const order = files.map((_, i) => i);
    const cost = (i: number): number => (files[i]?.size ?? 0) + PER_FILE_COST;
    const rel = (i: number): string => files[i]?.rel ?? '';
    order.sort((a, b) => cost(b) - cost(a) || (rel(a) < rel(b) ? -1 : rel(a) > rel(b) ? 1 : 0));
    const heap = new ShardHeap(new Array<number>(count).fill(0));
    for (const i of order) shard[i] = heap.addToLightest(cost(i));
  }
  const shardBytes = new Array<number>(count).fill(0);
  const shardFiles = new Array<number>(count).fill(0);
  files.forEach((f, i) => {
    const s = shard[i] ?? 0;
    shardBytes[s] = (shardBytes[s] ?? 0) + f.size;
    shardFiles[s] = (shardFiles[s] ?? 0) + 1;
  });
  const byPath = files.map((f, i) => [f.rel, shard[i] ?? 0] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash('sha256');
  for (const [r, s] of byPath) hash.update(`${r}\t${s}\n`);
  return { shardOf: shard, shardBytes, shardFiles, sha256: hash.digest('hex') };
}
