// Deterministic sample data of any size, streamed in blocks: memory stays
// at one block whatever the size.
import { open } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import { fillBlock, PROFILES, type Profile } from '../util/profiles.js';

export interface GenerateOptions {
  profile: Profile;
  /** Total bytes. */
  size: number;
  seed?: number;
  /** Bytes per PRNG block (default 1 MiB); part of what the seed means. */
  blockSize?: number;
}

function check(o: GenerateOptions): { seed: number; blockSize: number } {
  if (!PROFILES.includes(o.profile)) throw new ValidationError('profile', `${String(o.profile)} is not one of ${PROFILES.join(', ')}`);
  if (!Number.isSafeInteger(o.size) || o.size < 0) throw new ValidationError('size', `${o.size} is not a byte count`);
  const blockSize = o.blockSize ?? 1 << 20;
  if (!Number.isSafeInteger(blockSize) || blockSize < 1024) throw new ValidationError('blockSize', `${blockSize} is below 1024`);
  return { seed: (o.seed ?? 1) >>> 0, blockSize };
}

/** Yields the sample block by block. Each yielded buffer is fresh (safe to keep). */
export function* generate(o: GenerateOptions): Generator<Uint8Array> {
  const { seed, blockSize } = check(o);
  for (let block = 0, done = 0; done < o.size; block++) {
    const n = Math.min(blockSize, o.size - done);
    const buf = new Uint8Array(blockSize);
    fillBlock(o.profile, buf, seed, block);
    yield n === blockSize ? buf : buf.subarray(0, n);
    done += n;
  }
}

/** Writes a sample file. */
export async function writeSample(path: string, o: GenerateOptions): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for (const block of generate(o)) await fh.write(block);
  } finally {
    await fh.close();
  }
}
