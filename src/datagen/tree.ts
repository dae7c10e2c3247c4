// Deterministic trees of many files (the batch-conversion benchmark's
// inputs): `files` files in folders of 100, sizes drawn uniformly from
// [minSize, maxSize], each file's bytes a sample of its own seed. The same
// options give the same tree on every machine.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import { Prng } from '../util/prng.js';
import type { Profile } from '../util/profiles.js';
import { generate } from './generate.js';

export interface TreeOptions {
  files: number;
  minSize: number;
  maxSize: number;
  profile: Profile;
  seed?: number;
}

export interface TreeSummary {
  files: number;
  bytes: number;
}

const PER_FOLDER = 100;

export async function writeTree(dir: string, o: TreeOptions): Promise<TreeSummary> {
  if (!Number.isSafeInteger(o.files) || o.files < 1) throw new ValidationError('files', `${o.files} is not a positive whole number`);
  if (!Number.isSafeInteger(o.minSize) || o.minSize < 0 || !Number.isSafeInteger(o.maxSize) || o.maxSize < o.minSize) {
    throw new ValidationError('sizes', `${o.minSize}..${o.maxSize} is not a range of byte counts`);
  }
  const seed = (o.seed ?? 1) >>> 0;
  const prng = new Prng(seed, 0x7ee);
  let bytes = 0;
  for (let i = 0; i < o.files; i++) {
    const folder = join(dir, `d${String(Math.floor(i / PER_FOLDER)).padStart(3, '0')}`);
    if (i % PER_FOLDER === 0) await mkdir(folder, { recursive: true });
    const size = o.minSize + prng.int(o.maxSize - o.minSize + 1);
    const parts = [...generate({ profile: o.profile, size, seed: seed + i, blockSize: Math.max(1024, Math.min(1 << 20, size)) })];
    await writeFile(join(folder, `f${String(i).padStart(6, '0')}.${o.profile === 'text' ? 'jsonl' : 'bin'}`), parts);
    bytes += size;
  }
  return { files: o.files, bytes };
}
