// The job manifest: JSON Lines, appended and fsynced as the job goes, so a
// crash loses at most the line being written. A `job` line opens every run
// (its settings), one `file` line per file finished, an `end` line closes a
// run that was not killed. A torn last line (a crash mid-write) is ignored
// and cut off before the next run appends.
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { IoError, ManifestError } from '../errors.js';
import { syncDir } from '../io/sync-dir.js';
import type { Compression } from '../options.js';
import type { Shard } from './shard.js';
import type { Balance } from './balance.js';
import type { Target } from './paths.js';

export const MANIFEST_VERSION = 1;

export interface JobLine {
  kind: 'job';
  version: number;
  tool: string;
  startedAt: string;
  resume: boolean;
  to: Target;
  /** Container settings (--to hvs); null for --to raw. */
  compression: Compression | null;
  chunkSize: number | null;
  /** Absolute input paths as given. */
  inputs: string[];
  outDir: string;
  shard: Shard | null;
  /** Files in the whole job (every shard) and in this shard, skipped ones included. */
  jobFiles: number;
  shardFiles: number;
  listSha256: string;
  /** Sharded jobs: how files were assigned, bytes per shard (every shard's, by index), and a digest of the assignment. */
  balance?: Balance | null;
  shardBytes?: number[];
  assignmentSha256?: string;
}

export type FileStatus = 'done' | 'failed' | 'skipped';

export interface FileLine {
  kind: 'file';
  /** Relative POSIX input path. */
  input: string;
  /** Relative POSIX output path under the output folder. */
  output: string;
  op: 'pack' | 'reencode' | 'unpack';
  status: FileStatus;
  /** Input size and modification time when it was read (what --resume compares). */
  inputSize?: number;
  inputMtimeMs?: number;
  /** Raw bytes, container bytes (written by pack, read by unpack), chunks, root digest. */
  bytes?: number;
  storedBytes?: number;
  chunks?: number;
  rootDigest?: string;
  durationMs?: number;
  error?: { code: string; message: string };
  reason?: string;
  at: string;
}

export interface EndLine {
  kind: 'end';
  at: string;
  done: number;
  failed: number;
  skipped: number;
  interrupted: boolean;
  durationMs: number;
}

export type ManifestLine = JobLine | FileLine | EndLine;

export interface ManifestContents {
  lines: ManifestLine[];
  /** Bytes up to the end of the last complete line. */
  validBytes: number;
  /** A torn last line was found (and ignored). */
  torn: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lineProblem(v: Record<string, unknown>): string | undefined {
  const str = (k: string): boolean => typeof v[k] === 'string';
  const num = (k: string): boolean => typeof v[k] === 'number';
  switch (v.kind) {
    case 'job':
      if (v.to !== 'hvs' && v.to !== 'raw') return 'job line without a valid "to"';
      if (!num('jobFiles') || !num('shardFiles') || !str('listSha256') || !Array.isArray(v.inputs) || !str('outDir')) return 'job line missing fields';
      return undefined;
    case 'file':
      if (!str('input') || !str('output') || !str('op')) return 'file line missing input, output or op';
      if (v.status !== 'done' && v.status !== 'failed' && v.status !== 'skipped') return `file line with unknown status ${JSON.stringify(v.status)}`;
      if (v.status === 'done' && (!num('inputSize') || !num('inputMtimeMs') || !num('bytes') || !num('storedBytes') || !str('rootDigest'))) return 'done line missing figures';
      return undefined;
    case 'end':
      return undefined;
    default:
      return `unknown line kind ${JSON.stringify(v.kind)}`;
  }
}

/** Parses manifest text; a last line without its newline is a torn write and is dropped. */
export function parseManifest(text: string, path: string): ManifestContents {
  const lines: ManifestLine[] = [];
  const end = text.lastIndexOf('\n') + 1;
  const body = text.slice(0, end);
  let n = 0;
  for (const raw of body.split('\n')) {
    n++;
    if (raw.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new ManifestError(path, `line ${n} is not JSON`);
    }
    if (!isRecord(v)) throw new ManifestError(path, `line ${n} is not a JSON object`);
    const problem = lineProblem(v);
    if (problem !== undefined) throw new ManifestError(path, `line ${n}: ${problem}`);
    lines.push(v as unknown as ManifestLine);
  }
  return { lines, validBytes: Buffer.byteLength(body), torn: end < text.length };
}

/** Reads a manifest; undefined when it does not exist (or is empty). */
export async function readManifest(path: string): Promise<ManifestContents | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IoError('read', path, { cause });
  }
  if (text.length === 0) return undefined;
  return parseManifest(text, path);
}

/** Latest job line and the latest file line per input. */
export function summarize(contents: ManifestContents): { job: JobLine | undefined; files: Map<string, FileLine>; jobs: JobLine[] } {
  const files = new Map<string, FileLine>();
  const jobs: JobLine[] = [];
  for (const l of contents.lines) {
    if (l.kind === 'job') jobs.push(l);
    else if (l.kind === 'file') files.set(l.input, l);
  }
  return { job: jobs[jobs.length - 1], files, jobs };
}

/**
 * Appends lines, each durable (fdatasync) before its promise resolves: group
 * commit. A line waits up to GROUP_MS for others to join it, and lines that
 * arrive while a sync is running go in the next one, so files finishing
 * close together share one write and one sync (a tree of small files took
 * one fdatasync per file otherwise).
 */
/** How long a manifest line waits for others to share its fdatasync. */
const GROUP_MS = 5;

export class ManifestWriter {
  private pending: Array<{ text: string; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  private failure: IoError | undefined;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
  ) {}

  /** Opens for appending, first cutting the file at `validBytes` (a torn tail, or everything for --restart). */
  static async open(path: string, validBytes: number | undefined): Promise<ManifestWriter> {
    try {
      let existed = false;
      if (validBytes !== undefined) {
        existed = await truncate(path, validBytes).then(
          () => true,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return false;
            throw err;
          },
        );
      }
      const fh = await open(path, 'a');
      if (!existed) await syncDir(dirname(path));
      return new ManifestWriter(fh, path);
    } catch (cause) {
      throw new IoError('open manifest', path, { cause });
    }
  }

  append(line: ManifestLine): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const text = JSON.stringify(line) + '\n';
    const done = new Promise<void>((resolve, reject) => this.pending.push({ text, resolve, reject }));
    this.flushing ??= new Promise<void>((resolve) => setTimeout(resolve, GROUP_MS)).then(() => this.flush());
    return done;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (this.failure !== undefined) throw this.failure;
        // One write per batch: a crash leaves whole lines or one torn last line.
        await this.fh.appendFile(batch.map((b) => b.text).join(''));
        await this.fh.datasync();
        for (const b of batch) b.resolve();
      } catch (cause) {
        this.failure ??= cause instanceof IoError ? cause : new IoError('write manifest', this.path, { cause });
        for (const b of batch) b.reject(this.failure);
      }
    }
    this.flushing = undefined;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.fh.close().catch(() => undefined);
  }
}
