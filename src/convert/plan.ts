// The file list of a convert job: every input file with its relative path
// (its identity in manifests and shards), its output name, and what to do
// with it. Files that are seen but not converted carry a skip reason.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { IoError, ValidationError } from '../errors.js';
import { CONTAINER_EXT, isJobFile, isSameOrInside, operationFor, outputName, type Target } from './paths.js';

export interface PlanEntry {
  /** Relative POSIX path: the file's identity in manifests and shards. */
  rel: string;
  /** Absolute path to read. */
  path: string;
  /** Relative POSIX output path under the output folder. */
  output: string;
  op: 'pack' | 'reencode' | 'unpack';
  /** Why the file is not converted (a link leading outside, a FIFO, ...). */
  skip?: string;
  /** Real path of the input folder it was found in (the file must still resolve inside it when read). */
  root?: string;
  /** Device and inode the walk saw: the file read must be this one. */
  identity?: { dev: number; ino: number };
  /** What to open, when not `path` (a link's target inside the input folder). */
  open?: string;
}

export interface Plan {
  entries: PlanEntry[];
  /** Absolute input paths as given (folders and files). */
  inputs: string[];
  /** SHA-256 of the sorted relative paths, one per line: shards of one job agree on it. */
  listSha256: string;
}

export interface PlanOptions {
  inputs: string[];
  to: Target;
  /** Real path of the output folder, when it exists: excluded from the walk. */
  realOut: string | undefined;
  /** Other paths never taken as inputs (a --manifest placed among the inputs). */
  exclude?: string[];
}

async function statOrFail(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (cause) {
    throw new IoError('read', path, { cause });
  }
}

export async function planJob(opts: PlanOptions): Promise<Plan> {
  if (opts.inputs.length === 0) throw new ValidationError('inputs', 'name at least one input file or folder');
  const entries: PlanEntry[] = [];
  const add = (rel: string, path: string, skip?: string, found?: Found): void => {
    entries.push({ rel, path, output: outputName(rel, opts.to), op: operationFor(rel, opts.to), ...(skip === undefined ? {} : { skip }), ...found });
  };
  const inputs: string[] = [];
  for (const arg of opts.inputs) {
    if (arg === '-' || arg === '') throw new ValidationError('inputs', 'convert reads files and folders, not standard input');
    const abs = resolve(arg);
    inputs.push(abs);
    const st = await statOrFail(abs);
    if (st.isDirectory()) {
      const root = await realpath(abs);
      if (opts.realOut !== undefined && isSameOrInside(root, opts.realOut)) {
        throw new ValidationError('--output', `the output folder ${opts.realOut} contains the input folder ${arg}; choose an output folder outside it`);
      }
      await walk(root, '', { root, realOut: opts.realOut, to: opts.to, add, exclude: new Set(opts.exclude) });
    } else if (st.isFile()) {
      // A file named on the command line is taken as given (links followed) and keeps its base name.
      add(basename(abs), abs, undefined, { identity: { dev: st.dev, ino: st.ino } });
    } else {
      throw new ValidationError('inputs', `${arg} is not a regular file or a folder`);
    }
  }
  entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  checkUnique(entries);
  const listSha256 = createHash('sha256')
    .update(entries.map((e) => e.rel).join('\n'))
    .digest('hex');
  return { entries, inputs, listSha256 };
}

/** What the walk learnt of a file, for the check when it is opened (convert/open-input.ts). */
type Found = Pick<PlanEntry, 'root' | 'identity' | 'open'>;

interface WalkContext {
  root: string;
  realOut: string | undefined;
  to: Target;
  add(rel: string, path: string, skip?: string, found?: Found): void;
  exclude: Set<string>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A file name as text; one that is not UTF-8 gets its bad bytes as \xNN (a manifest is JSON text). */
function nameOf(raw: Buffer): { name: string; utf8: boolean } {
  try {
    return { name: utf8.decode(raw), utf8: true };
  } catch {
    let name = '';
    for (const b of raw) name += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return { name, utf8: false };
  }
}

async function walk(dir: string, relDir: string, ctx: WalkContext): Promise<void> {
  let dirents;
  try {
    // Names as bytes: a name that is not UTF-8 is reported, not mistaken for another (or for none).
    dirents = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (cause) {
    throw new IoError('list', dir, { cause });
  }
  const named = dirents.map((d) => ({ d, ...nameOf(d.name) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { d, name, utf8: ok } of named) {
    if (isJobFile(name)) continue;
    const full = join(dir, name);
    if (ctx.exclude.has(full)) continue;
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    if (!ok) {
      ctx.add(rel, full, `${d.isDirectory() ? 'folder' : 'file'} name is not valid UTF-8 (not converted)`);
    } else if (d.isDirectory()) {
      // The output folder may live inside the input folder: never read our own outputs.
      if (ctx.realOut !== undefined && full === ctx.realOut) continue;
      // A folder swapped for a link after it was listed is not walked into.
      const st = await lstat(full).catch(() => undefined);
      if (st?.isDirectory() !== true) ctx.add(rel, full, 'folder replaced while the input was listed');
      else await walk(full, rel, ctx);
    } else if (d.isFile()) {
      const st = await lstat(full).catch(() => undefined);
      if (st?.isFile() !== true) ctx.add(rel, full, 'file replaced while the input was listed');
      else ctx.add(rel, full, wrongKind(rel, ctx.to), { root: ctx.root, identity: { dev: st.dev, ino: st.ino } });
    } else if (d.isSymbolicLink()) {
      const link = await followLink(full, ctx);
      ctx.add(rel, full, 'problem' in link ? link.problem : wrongKind(rel, ctx.to), 'problem' in link ? undefined : link);
    } else {
      ctx.add(rel, full, 'not a regular file');
    }
  }
}

/** With --to raw a folder's files are taken only when named *.hvs. */
function wrongKind(rel: string, to: Target): string | undefined {
  return to === 'raw' && operationFor(rel, 'hvs') !== 'reencode' ? `not a ${CONTAINER_EXT} container` : undefined;
}

/** Links are followed only to regular files inside the input folder (and not into the output folder): to the file it reads then, or why not. */
async function followLink(full: string, ctx: WalkContext): Promise<Found | { problem: string }> {
  let real: string;
  let st: Stats;
  try {
    real = await realpath(full);
    st = await lstat(real);
  } catch {
    return { problem: 'broken symbolic link' };
  }
  if (!isSameOrInside(real, ctx.root)) return { problem: 'symbolic link leading outside the input folder' };
  if (ctx.realOut !== undefined && isSameOrInside(real, ctx.realOut)) return { problem: 'symbolic link leading into the output folder' };
  if (st.isDirectory()) return { problem: 'symbolic link to a folder (not followed)' };
  if (!st.isFile()) return { problem: 'symbolic link to something other than a regular file' };
  return { root: ctx.root, identity: { dev: st.dev, ino: st.ino }, open: real };
}

function checkUnique(entries: PlanEntry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const a = entries[i - 1];
    const b = entries[i];
    if (a !== undefined && b !== undefined && a.rel === b.rel) {
      throw new ValidationError('inputs', `${a.path} and ${b.path} have the same relative path ${a.rel}`);
    }
  }
  const byOutput = new Map<string, PlanEntry>();
  for (const e of entries) {
    if (e.skip !== undefined) continue;
    const other = byOutput.get(e.output);
    if (other !== undefined) throw new ValidationError('inputs', `${other.rel} and ${e.rel} would both be written to ${e.output}`);
    byOutput.set(e.output, e);
  }
}
