// Output names and the rules that keep every output inside the output folder.
// Relative paths in a job are POSIX ("a/b/c.bin") whatever the platform, so
// that shard assignment and manifests agree across machines.
import { lstat, mkdir, readdir, realpath, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { IoError, ValidationError } from '../errors.js';
import { isInside, isSameOrInside } from '../util/inside.js';
import { isPartialName, parsePartialName, partialStem, writerState } from '../io/partial-name.js';

export type Target = 'hvs' | 'raw';

export const CONTAINER_EXT = '.hvs';
/** Suffix given to a container that is not named *.hvs when it is unpacked. */
export const RAW_EXT = '.raw';

/** Names a job writes into the output folder and never converts. */
export function isJobFile(name: string): boolean {
  return /^\.hivestream-manifest.*\.jsonl$/.test(name) || isPartialName(name);
}

export { isPartialName };

/**
 * Relative output path for a relative input path. `--to hvs`: a container
 * (*.hvs) keeps its name, anything else gets `.hvs` appended. `--to raw`:
 * `name.hvs` loses `.hvs`, a container under another name gets `.raw`.
 */
export function outputName(rel: string, to: Target): string {
  const isContainer = rel.endsWith(CONTAINER_EXT) && basename(rel).length > CONTAINER_EXT.length;
  if (to === 'hvs') return isContainer ? rel : rel + CONTAINER_EXT;
  return isContainer ? rel.slice(0, -CONTAINER_EXT.length) : rel + RAW_EXT;
}

/** What converting `rel` means: pack raw bytes, re-encode a container, or unpack one. */
export function operationFor(rel: string, to: Target): 'pack' | 'reencode' | 'unpack' {
  if (to === 'raw') return 'unpack';
  return rel.endsWith(CONTAINER_EXT) && basename(rel).length > CONTAINER_EXT.length ? 'reencode' : 'pack';
}

/** Checks a relative POSIX path has no empty, `.` or `..` segment and is not absolute. */
export function checkRelative(rel: string): void {
  const segments = rel.split('/');
  if (rel.length === 0 || isAbsolute(rel) || rel.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ValidationError('output', `${JSON.stringify(rel)} is not a plain relative path inside the output folder`);
  }
}

export { isInside, isSameOrInside };

/** Absolute output path of `relOut` under the real output folder; refuses anything that resolves outside it. */
export function outputPath(realOut: string, relOut: string): string {
  checkRelative(relOut);
  const abs = resolve(realOut, ...relOut.split('/'));
  if (!isInside(abs, realOut)) throw new ValidationError('output', `${relOut} resolves outside the output folder`);
  return abs;
}

/**
 * Creates the folders above `abs` one by one (never `mkdir -p` through a
 * symbolic link that leads elsewhere), and refuses a parent that resolves
 * outside `realOut` or (unless the caller checks it itself) an existing
 * output that is not a regular file or link.
 */
export async function prepareOutput(realOut: string, abs: string, prepared?: Map<string, Promise<void>>, checkExisting = true): Promise<void> {
  const parts = relative(realOut, dirname(abs)).split(sep).filter((p) => p !== '');
  let dir = realOut;
  for (const part of parts) {
    dir = join(dir, part);
    // A folder this job made or checked (or is making now, for another file: the cache lives for one job).
    const known = prepared?.get(dir);
    if (known !== undefined) {
      await known;
      continue;
    }
    const making = prepareFolder(realOut, dir);
    prepared?.set(dir, making);
    await making;
  }
  if (!checkExisting) return;
  const existing = await lstat(abs).catch(() => undefined);
  if (existing !== undefined && !existing.isFile() && !existing.isSymbolicLink()) {
    // The sink writes devices and FIFOs in place; an output folder is no place for that.
    throw new ValidationError('output', `${abs} exists and is not a regular file`);
  }
}

/** One folder of the output tree: made if missing, and checked to be a folder inside `realOut`. */
async function prepareFolder(realOut: string, dir: string): Promise<void> {
  let st = await lstat(dir).catch(() => undefined);
  if (st === undefined) {
    await mkdir(dir).catch((cause: unknown) => {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw new IoError('create folder', dir, { cause });
    });
    st = await lstat(dir);
  }
  if (st.isSymbolicLink()) {
    const real = await realpath(dir).catch((cause: unknown) => {
      throw new IoError('resolve', dir, { cause });
    });
    if (!isSameOrInside(real, realOut)) throw new ValidationError('output', `${dir} is a symbolic link leading outside the output folder`);
    st = await lstat(real);
  }
  if (!st.isDirectory()) throw new ValidationError('output', `${dir} is not a folder`);
}

/**
 * Removes the sink's temporary files for these outputs left by a run that
 * is gone (a crash, SIGKILL); returns how many. Only this job's own outputs
 * are looked at (other shards may be writing next to us), and a partial
 * whose writer still runs on this host is left alone. One written on another
 * host counts as stale: a shard's outputs are its own, and one shard runs
 * once at a time.
 */
export async function removeStalePartials(outputs: Iterable<string>): Promise<number> {
  const byDir = new Map<string, Set<string>>();
  for (const o of outputs) {
    const d = dirname(o);
    const stems = byDir.get(d) ?? new Set<string>();
    stems.add(partialStem(basename(o)));
    byDir.set(d, stems);
  }
  let removed = 0;
  for (const [dir, stems] of byDir) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const p = parsePartialName(name);
      if (p === undefined || !stems.has(p.stem) || writerState(p) === 'alive') continue;
      await unlink(join(dir, name)).then(
        () => removed++,
        () => undefined,
      );
    }
  }
  return removed;
}
