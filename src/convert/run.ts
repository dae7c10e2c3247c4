// A convert job: plan the file list, take this shard's part, skip what an
// earlier run finished, convert the rest a few files at a time, and record
// every file in the manifest as it finishes. Ctrl-C stops new files from
// starting and aborts the ones in flight (their partial outputs are removed).
import { setMaxListeners } from 'node:events';
import { packageFile } from '../util/package-root.js';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AbortError, IoError, ValidationError } from '../errors.js';
import { parseSize, resolveChunkSize, resolveCompression, resolveWorkers, type Compression } from '../options.js';
import { MANIFEST_VERSION, ManifestWriter, readManifest, summarize, type FileLine, type JobLine } from './manifest.js';
import { runFiles } from './queue.js';
import { outputPath, removeStalePartials, type Target } from './paths.js';
import { planJob, type PlanEntry } from './plan.js';
import { settingsDiff, statInputs, stillDone, type JobSettings } from './resume.js';
import type { Shard } from './shard.js';
import { assignShards, DEFAULT_BALANCE, type Assignment, type Balance } from './balance.js';

export interface ConvertOptions {
  inputs: string[];
  outDir: string;
  to: Target;
  /** Container settings for --to hvs (packing and re-encoding). */
  compression?: Compression;
  chunkSize?: number | string;
  /** Each file's share of the engine's worker threads (default: all; the thread count is the engine's, configureEngine({ threads })). */
  workers?: number;
  /** Files in flight at most (default 64). */
  concurrency?: number;
  /** Input bytes in flight at most, bytes or text (default 64 MiB; a larger file runs alone). */
  inflightBytes?: number | string;
  /** Skip files an earlier run of this job finished. */
  resume?: boolean;
  /** Forget an earlier run of this job and convert everything again. */
  restart?: boolean;
  /** Manifest path (default: in the output folder). */
  manifest?: string;
  shard?: Shard;
  /** How files are assigned to shards: 'size' (default: nearly equal bytes per shard) or 'path' (a hash of the path). */
  balance?: Balance;
  /** Continue past failing files (default: stop starting new files after the first failure). */
  keepGoing?: boolean;
  /** fsync every output before it is renamed into place, and its folder after. */
  durable?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: ConvertEvent) => void;
}

export interface BatchProgress {
  filesDone: number;
  filesTotal: number;
  /** Input bytes read (files finished plus files in flight). */
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
}

export type ConvertEvent =
  | { type: 'start'; entry: PlanEntry; progress: BatchProgress }
  | { type: 'progress'; entry: PlanEntry; inputBytes: number; progress: BatchProgress }
  | { type: 'finish'; entry: PlanEntry; line: FileLine; progress: BatchProgress };

export interface ConvertReport {
  operation: 'convert';
  to: Target;
  outDir: string;
  manifest: string;
  shard: Shard | null;
  /** Sharded jobs: the assignment every shard computed (bytes and files per shard, by index). */
  balance: { mode: Balance; shardBytes: number[]; shardFiles: number[]; assignmentSha256: string } | null;
  files: {
    /** Files of this shard (of the whole job without --shard), skipped ones included. */
    total: number;
    converted: number;
    failed: number;
    skipped: number;
    /** Finished by an earlier run and unchanged since (--resume). */
    alreadyDone: number;
    /** Not finished in this run: interrupted, or never started after a failure stopped the job. */
    remaining: number;
  };
  /** Input bytes read and output bytes written by the files converted in this run. */
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  nothingToDo: boolean;
  interrupted: boolean;
  failures: Array<{ input: string; code: string; message: string }>;
  stalePartialsRemoved: number;
}

const MANIFEST_NAME = '.hivestream-manifest';

export function defaultManifestName(shard: Shard | undefined): string {
  return shard === undefined || shard.count === 1 ? `${MANIFEST_NAME}.jsonl` : `${MANIFEST_NAME}.shard-${shard.index}-of-${shard.count}.jsonl`;
}

let toolVersion: string | undefined;
async function tool(): Promise<string> {
  toolVersion ??= await readFile(packageFile('package.json'), 'utf8')
    .then((t) => (JSON.parse(t) as { version?: string }).version ?? 'unknown')
    .catch(() => 'unknown');
  return `hivestream ${toolVersion}`;
}

/** The path with its folder's real path (so it compares equal to what a walk finds). */
async function realParent(path: string): Promise<string> {
  const dir = await realpath(dirname(path)).catch(() => dirname(path));
  return join(dir, basename(path));
}

function resolveConcurrency(n: number | undefined): number {
  const v = n ?? 64;
  if (!Number.isSafeInteger(v) || v < 1 || v > 1024) throw new ValidationError('concurrency', `${String(n)} is not a whole number from 1 to 1024`);
  return v;
}

function resolveInflightBytes(v: number | string | undefined): number {
  const n = v === undefined ? 64 << 20 : typeof v === 'string' ? parseSize(v, 'inflightBytes') : v;
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError('inflightBytes', `${String(v)} is not a positive byte count`);
  return n;
}

export async function convert(opts: ConvertOptions): Promise<ConvertReport> {
  const t0 = performance.now();
  if (opts.to !== 'hvs' && opts.to !== 'raw') throw new ValidationError('--to', `${JSON.stringify(opts.to)} is not hvs or raw`);
  if (opts.to === 'raw' && (opts.compression !== undefined || opts.chunkSize !== undefined)) {
    throw new ValidationError('--to', 'compression and chunk size apply to --to hvs only');
  }
  if (opts.resume === true && opts.restart === true) throw new ValidationError('--restart', 'cannot be combined with --resume');
  const concurrency = resolveConcurrency(opts.concurrency);
  const inflightBytes = resolveInflightBytes(opts.inflightBytes);
  const workers = opts.workers === undefined ? undefined : resolveWorkers(opts.workers);
  const compression = resolveCompression(opts.compression);
  const chunkSize = resolveChunkSize(opts.chunkSize);
  const shard = opts.shard !== undefined && opts.shard.count > 1 ? opts.shard : undefined;

  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true }).catch((cause: unknown) => {
    throw new IoError('create folder', outDir, { cause });
  });
  const realOut = await realpath(outDir);
  const manifestPath = opts.manifest === undefined ? join(realOut, defaultManifestName(shard)) : await realParent(resolve(opts.manifest));
  const plan = await planJob({ inputs: opts.inputs, to: opts.to, realOut, exclude: [manifestPath] });
  const balance = opts.balance ?? DEFAULT_BALANCE;
  // A shard needs every file's size (each shard balances the whole job); unsharded, only its own.
  const stats = shard === undefined ? undefined : await statInputs(plan.entries.filter((e) => e.skip === undefined));
  let assignment: Assignment | undefined;
  let mine = plan.entries;
  if (shard !== undefined) {
    const split = assignShards(plan.entries.map((e) => ({ rel: e.rel, size: e.skip === undefined ? (stats?.get(e.rel)?.size ?? 0) : 0 })), shard.count, balance);
    mine = plan.entries.filter((_, i) => split.shardOf[i] === shard.index);
    assignment = split;
  }

  const settings: JobSettings = {
    to: opts.to,
    compression: opts.to === 'hvs' ? compression : null,
    chunkSize: opts.to === 'hvs' ? chunkSize : null,
    inputs: plan.inputs,
    outDir: realOut,
    shard: shard ?? null,
    balance: shard === undefined ? null : balance,
  };
  const earlier = opts.restart === true ? undefined : await readManifest(manifestPath);
  const before = earlier === undefined ? undefined : summarize(earlier);
  if (before?.job !== undefined && opts.resume !== true) {
    throw new ValidationError('--resume', `${manifestPath} holds an earlier run of a job: pass --resume to finish it, or --restart to convert everything again`);
  }
  if (before?.job !== undefined) {
    const diff = settingsDiff(before.job, settings);
    if (diff !== '') throw new ValidationError('--resume', `the settings differ from the job in ${manifestPath} (${diff}); use --restart to convert everything again with the new settings`);
  }

  const inputs = stats ?? (await statInputs(mine.filter((e) => e.skip === undefined)));
  const todo: PlanEntry[] = [];
  const skips: PlanEntry[] = [];
  let alreadyDone = 0;
  for (const e of mine) {
    const last = before?.files.get(e.rel);
    if (e.skip !== undefined) {
      if (last?.status !== 'skipped' || last.reason !== e.skip) skips.push(e);
    } else if (await stillDone(e, last, inputs.get(e.rel), realOut, opts.to)) {
      alreadyDone++;
    } else {
      todo.push(e);
    }
  }
  const skippedTotal = mine.filter((e) => e.skip !== undefined).length;
  const report: ConvertReport = {
    operation: 'convert',
    to: opts.to,
    outDir: realOut,
    manifest: manifestPath,
    shard: shard ?? null,
    balance:
      assignment === undefined ? null : { mode: balance, shardBytes: assignment.shardBytes, shardFiles: assignment.shardFiles, assignmentSha256: assignment.sha256 },
    files: { total: mine.length, converted: 0, failed: 0, skipped: skippedTotal, alreadyDone, remaining: 0 },
    bytesIn: 0,
    bytesOut: 0,
    durationMs: 0,
    nothingToDo: todo.length === 0 && skips.length === 0,
    interrupted: false,
    failures: [],
    stalePartialsRemoved: 0,
  };
  if (report.nothingToDo) {
    report.durationMs = performance.now() - t0;
    return report;
  }
  if (opts.signal?.aborted === true) throw new AbortError('operation aborted', { cause: opts.signal.reason });

  report.stalePartialsRemoved = await removeStalePartials(todo.map((e) => outputPath(realOut, e.output)));
  const writer = await ManifestWriter.open(manifestPath, opts.restart === true ? 0 : earlier?.validBytes);
  const job: JobLine = {
    kind: 'job',
    version: MANIFEST_VERSION,
    tool: await tool(),
    startedAt: new Date().toISOString(),
    resume: before?.job !== undefined,
    ...settings,
    jobFiles: plan.entries.length,
    shardFiles: mine.length,
    listSha256: plan.listSha256,
    ...(assignment === undefined ? {} : { shardBytes: assignment.shardBytes, assignmentSha256: assignment.sha256 }),
  };
  let fatal: Error | undefined;
  try {
    await writer.append(job);
    for (const e of skips) {
      await writer.append({ kind: 'file', input: e.rel, output: e.output, op: e.op, status: 'skipped', reason: e.skip, at: new Date().toISOString() });
    }
    fatal = await withJobSignal(opts.signal, concurrency, (signal) =>
      runFiles(todo, inputs, { ...opts, workers, compression, chunkSize, signal, concurrency, inflightBytes, realOut, writer, report }),
    );
  } finally {
    report.durationMs = performance.now() - t0;
    const f = report.files;
    await writer
      .append({ kind: 'end', at: new Date().toISOString(), done: f.converted, failed: f.failed, skipped: skips.length, interrupted: report.interrupted, durationMs: report.durationMs })
      .catch(() => undefined);
    await writer.close();
  }
  if (fatal !== undefined) throw fatal;
  return report;
}

/**
 * Every file in flight listens on the job's signal (two calls each when
 * re-encoding): a signal of our own, following the caller's, may carry that
 * many listeners without Node warning about a leak.
 */
async function withJobSignal<T>(outer: AbortSignal | undefined, concurrency: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  setMaxListeners(10 + 8 * concurrency, ctl.signal);
  const follow = (): void => ctl.abort(outer?.reason);
  if (outer?.aborted === true) follow();
  outer?.addEventListener('abort', follow, { once: true });
  try {
    return await fn(ctl.signal);
  } finally {
    outer?.removeEventListener('abort', follow);
  }
}
