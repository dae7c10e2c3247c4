// Converting one file: pack raw bytes, unpack a container, or re-encode a
// container with other settings by piping unpack straight into pack (the
// raw bytes never touch the disk). The input's size and modification time
// are taken before and compared after, so a file that changed while it was
// read fails instead of leaving an output of something that never existed.
import type { Stats } from 'node:fs';
import { stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { PassThrough } from 'node:stream';
import { pack, unpack } from '../api.js';
import { AbortError, InputChangedError, IoError, ValidationError } from '../errors.js';
import { readContainerHeader } from '../engine/main/container-input.js';
import { openSource } from '../io/source.js';
import { DEFAULT_MAX_HEADER_BYTES, MAX_CHUNK_SIZE, type Compression, type Progress } from '../options.js';
import { outputPath, prepareOutput } from './paths.js';
import type { InputState } from './resume.js';
import type { FilePacker, PackedFile } from '../engine/main/file-packer.js';
import type { PlanEntry } from './plan.js';
import { openInput } from './open-input.js';

export interface FileSettings {
  compression: Compression;
  chunkSize: number;
  /** Each file's share of the engine's threads (default: all of them). */
  workers?: number | undefined;
  durable: boolean;
  signal: AbortSignal;
  /** Input bytes consumed so far by this file (raw bytes for pack, container bytes otherwise). */
  onProgress?: (inputBytes: number) => void;
  /** Packs small files whole in workers (files up to its size; others go through pack()). */
  packer?: { maxFileBytes: number; packer: FilePacker } | undefined;
  /** Folders of the output tree this job already made or checked. */
  prepared?: Map<string, Promise<void>> | undefined;
  /** What the job's walk saw of the input: size, mtime and which file (dev, ino). */
  listed?: InputState | undefined;
}

/** What converting a file measured (the manifest's line for it). */
export type FileResult = PackedFile;

/** Pipe buffer between unpack and pack when re-encoding. */
const PIPE_BYTES = 4 << 20;

async function statInput(input: FileHandle, path: string): Promise<Stats> {
  let st: Stats;
  try {
    st = await input.stat();
  } catch (cause) {
    throw new IoError('read', path, { cause });
  }
  if (!st.isFile()) throw new ValidationError('input', `${path} is no longer a regular file`);
  return st;
}

export async function convertFile(entry: PlanEntry, realOut: string, s: FileSettings): Promise<FileResult> {
  const out = outputPath(realOut, entry.output);
  const small = s.packer !== undefined && entry.op === 'pack' && s.listed !== undefined && s.listed.size <= s.packer.maxFileBytes ? s.packer.packer : undefined;
  // The worker that packs a small file checks its output itself.
  await prepareOutput(realOut, out, s.prepared, small === undefined);
  if (small !== undefined && s.listed !== undefined) {
    // A worker opens, checks (the file the walk saw, still inside the input folder), packs and renames it.
    const expect = { ...s.listed, ...entry.identity };
    const r = await small.pack({ input: entry.open ?? entry.path, inputRoot: entry.root, output: out, sourceName: basename(entry.path), expect }, s.listed.size);
    s.onProgress?.(r.bytes);
    return r;
  }
  // Only the file the walk saw is read (convert/open-input.ts); outputs never leave the output folder.
  const input = await openInput(entry);
  try {
    return await convertOpen(entry, input, out, realOut, s);
  } finally {
    await input.close().catch(() => undefined);
  }
}

async function convertOpen(entry: PlanEntry, input: FileHandle, out: string, realOut: string, s: FileSettings): Promise<FileResult> {
  const before = await statInput(input, entry.path);
  const existing = await stat(out).catch(() => undefined);
  if (existing !== undefined && existing.dev === before.dev && existing.ino === before.ino) {
    throw new ValidationError('output', `${out} is the input itself; converting would replace it`);
  }
  const common = { workers: s.workers, signal: s.signal, durable: s.durable, outputWithin: realOut };
  const progress = (pick: (p: Progress) => number) => (p: Progress) => s.onProgress?.(pick(p));
  let result: Omit<FileResult, 'inputSize' | 'inputMtimeMs'>;
  if (entry.op === 'pack') {
    const r = await pack(input, out, { ...common, chunkSize: s.chunkSize, compression: s.compression, sourceName: basename(entry.path), onProgress: progress((p) => p.bytes) });
    result = { bytes: r.bytes, storedBytes: r.storedBytes, chunks: r.chunks, rootDigest: r.rootDigest };
  } else if (entry.op === 'unpack') {
    const r = await unpack(input, out, { ...common, onProgress: progress((p) => p.storedBytes) });
    result = { bytes: r.bytes, storedBytes: r.storedBytes, chunks: r.chunks, rootDigest: r.rootDigest };
  } else {
    result = await reencode(input, out, { ...s, realOut }, progress((p) => p.storedBytes));
  }
  const after = await input.stat().catch(() => undefined);
  const changed =
    after === undefined
      ? 'it disappeared'
      : after.size !== before.size
        ? `size went from ${before.size} to ${after.size} bytes`
        : after.mtimeMs !== before.mtimeMs
          ? 'its modification time changed'
          : undefined;
  if (changed !== undefined) {
    await unlink(out).catch(() => undefined);
    throw new InputChangedError(entry.path, changed);
  }
  return { ...result, inputSize: before.size, inputMtimeMs: before.mtimeMs };
}

/** The header's `hivestream.source`, kept across a re-encode (also rejects a non-container early). */
async function sourceName(from: FileHandle): Promise<string | undefined> {
  const input = await openSource(from);
  try {
    const h = await readContainerHeader(input, { maxChunkSize: MAX_CHUNK_SIZE, maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES });
    return h.source;
  } finally {
    await input.close();
  }
}

async function reencode(from: FileHandle, out: string, s: FileSettings & { realOut: string }, onProgress: (p: Progress) => void): Promise<Omit<FileResult, 'inputSize' | 'inputMtimeMs'>> {
  const source = await sourceName(from);
  // Either side failing stops the other; the outer signal stops both.
  const ctl = new AbortController();
  const stop = (): void => ctl.abort(s.signal.reason);
  if (s.signal.aborted) stop();
  s.signal.addEventListener('abort', stop, { once: true });
  const pipe = new PassThrough({ highWaterMark: PIPE_BYTES });
  try {
    const reading = unpack(from, pipe, { workers: s.workers, signal: ctl.signal, onProgress });
    const writing = pack(pipe, out, {
      workers: s.workers,
      signal: ctl.signal,
      durable: s.durable,
      chunkSize: s.chunkSize,
      compression: s.compression,
      sourceName: source,
      outputWithin: s.realOut,
    });
    void reading.catch(() => ctl.abort(new Error('unpacking the container failed')));
    void writing.catch(() => ctl.abort(new Error('writing the new container failed')));
    const [r, w] = await Promise.allSettled([reading, writing]);
    if (r.status === 'rejected' && !(r.reason instanceof AbortError)) throw r.reason;
    if (w.status === 'rejected') throw w.reason;
    if (r.status === 'rejected') throw r.reason;
    return { bytes: w.value.bytes, storedBytes: w.value.storedBytes, chunks: w.value.chunks, rootDigest: w.value.rootDigest };
  } finally {
    s.signal.removeEventListener('abort', stop);
    pipe.destroy();
  }
}
