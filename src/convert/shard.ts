// Shards: n separate processes (a Kubernetes Indexed Job, a Slurm job array)
// convert one job's files independently; this file parses which shard a
// process is and holds the path hash. Which files a shard takes: balance.ts.
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';

export interface Shard {
  /** 0-based index of this shard. */
  index: number;
  /** Number of shards. */
  count: number;
}

/** Largest shard count accepted (a sanity bound, far above real job arrays). */
export const MAX_SHARDS = 100_000;

/** The shard a relative POSIX path belongs to: first 4 bytes of its SHA-256 (big-endian), mod n. */
export function shardOf(rel: string, count: number): number {
  const d = createHash('sha256').update(rel, 'utf8').digest();
  return d.readUInt32BE(0) % count;
}

function whole(text: string | undefined, what: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) throw new ValidationError('--shard', `${what} is ${JSON.stringify(text)}, not a whole number`);
  return Number(text.trim());
}

function checked(index: number, count: number, from: string): Shard {
  if (count < 1 || count > MAX_SHARDS) throw new ValidationError('--shard', `the shard count ${count} (${from}) is outside 1 to ${MAX_SHARDS}`);
  if (index >= count) throw new ValidationError('--shard', `index ${index} (${from}) is not below the shard count ${count}; shards are numbered from 0`);
  return { index, count };
}

/**
 * Parses `--shard k/n` (0 <= k < n) or `--shard auto`. `auto` takes the index
 * from HIVESTREAM_SHARD_INDEX, else JOB_COMPLETION_INDEX (Kubernetes Indexed
 * Job), else SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (so 1-based arrays
 * work too); the count from HIVESTREAM_SHARD_COUNT, else SLURM_ARRAY_TASK_COUNT.
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  if (text === 'auto') {
    let index = whole(env.HIVESTREAM_SHARD_INDEX, 'HIVESTREAM_SHARD_INDEX');
    let from = 'HIVESTREAM_SHARD_INDEX';
    if (index === undefined) {
      index = whole(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
      from = 'JOB_COMPLETION_INDEX';
    }
    if (index === undefined) {
      const id = whole(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
      const min = whole(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') ?? 0;
      if (id !== undefined) {
        if (id < min) throw new ValidationError('--shard', `SLURM_ARRAY_TASK_ID ${id} is below SLURM_ARRAY_TASK_MIN ${min}`);
        index = id - min;
        from = 'SLURM_ARRAY_TASK_ID';
      }
    }
    if (index === undefined) {
      throw new ValidationError('--shard', 'auto needs HIVESTREAM_SHARD_INDEX, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment');
    }
    const count = whole(env.HIVESTREAM_SHARD_COUNT, 'HIVESTREAM_SHARD_COUNT') ?? whole(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT');
    if (count === undefined) {
      throw new ValidationError('--shard', 'auto needs the shard count in HIVESTREAM_SHARD_COUNT (or SLURM_ARRAY_TASK_COUNT under Slurm)');
    }
    return checked(index, count, from);
  }
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null) throw new ValidationError('--shard', `${JSON.stringify(text)} is not k/n (for example 0/4) or auto`);
  return checked(Number(m[1]), Number(m[2]), text);
}
