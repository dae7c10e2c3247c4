// The file list of a convert job: every input file with its relative path
// (its identity in manifests and shards), its output name, and what to do
// with it. Files that are seen but not converted carry a skip reason.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
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
  const add = (rel: string, path: string, skip?: string): void => {
    entries.push({ rel, path, output: outputName(rel, opts.to), op: operationFor(rel, opts.to), ...(skip === undefined ? {} : { skip }) });
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
      add(basename(abs), abs);
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

interface WalkContext {
  root: string;
  realOut: string | undefined;
  to: Target;
  add(rel: string, path: string, skip?: string): void;
  exclude: Set<string>;
}

async function walk(dir: string, relDir: string, ctx: WalkContext): Promise<void> {
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw new IoError('list', dir, { cause });
  }
  const names = dirents.map((d) => d.name).sort();
  const byName = new Map(dirents.map((d) => [d.name, d] as const));
  for (const name of names) {
    const d = byName.get(name);
    if (d === undefined || isJobFile(name)) continue;
    const full = join(dir, name);
    if (ctx.exclude.has(full)) continue;
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    if (d.isDirectory()) {
      // The output folder may live inside the input folder: never read our own outputs.
      if (ctx.realOut !== undefined && full === ctx.realOut) continue;
      await walk(full, rel, ctx);
    } else if (d.isFile()) {
      ctx.add(rel, full, wrongKind(rel, ctx.to));
    } else if (d.isSymbolicLink()) {
      ctx.add(rel, full, await linkProblem(full, ctx) ?? wrongKind(rel, ctx.to));
    } else {
      ctx.add(rel, full, 'not a regular file');
    }
  }
}

/** With --to raw a folder's files are taken only when named *.hvs. */
function wrongKind(rel: string, to: Target): string | undefined {
  return to === 'raw' && operationFor(rel, 'hvs') !== 'reencode' ? `not a ${CONTAINER_EXT} container` : undefined;
}

/** Links are followed only to regular files inside the input folder (and not into the output folder). */
async function linkProblem(full: string, ctx: WalkContext): Promise<string | undefined> {
  let real: string;
  let st: Stats;
  try {
    real = await realpath(full);
    st = await stat(real);
  } catch {
    return 'broken symbolic link';
  }
  if (!isSameOrInside(real, ctx.root)) return 'symbolic link leading outside the input folder';
  if (ctx.realOut !== undefined && isSameOrInside(real, ctx.realOut)) return 'symbolic link leading into the output folder';
  if (st.isDirectory()) return 'symbolic link to a folder (not followed)';
  if (!st.isFile()) return 'symbolic link to something other than a regular file';
  return undefined;
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
