// Converting one file: pack raw bytes, unpack a container, or re-encode a
// container with other settings by piping unpack straight into pack (the
// raw bytes never touch the disk). The input's size and modification time
// are taken before and compared after, so a file that changed while it was
// read fails instead of leaving an output of something that never existed.
import type { Stats } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { pack, unpack } from '../api.js';
import { AbortError, InputChangedError, IoError, ValidationError } from '../errors.js';
import { readContainerHeader } from '../engine/main/container-input.js';
import { openSource } from '../io/source.js';
import { DEFAULT_MAX_HEADER_BYTES, MAX_CHUNK_SIZE, type Compression, type Progress } from '../options.js';
import { outputPath, prepareOutput } from './paths.js';
import type { PlanEntry } from './plan.js';

export interface FileSettings {
  compression: Compression;
  chunkSize: number;
  /** Each file's share of the engine's threads (default: all of them). */
  workers?: number | undefined;
  durable: boolean;
  signal: AbortSignal;
  /** Input bytes consumed so far by this file (raw bytes for pack, container bytes otherwise). */
  onProgress?: (inputBytes: number) => void;
}

export interface FileResult {
  bytes: number;
  storedBytes: number;
  chunks: number;
  rootDigest: string;
  inputSize: number;
  inputMtimeMs: number;
}

/** Pipe buffer between unpack and pack when re-encoding. */
const PIPE_BYTES = 4 << 20;

async function statInput(path: string): Promise<Stats> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (cause) {
    throw new IoError('read', path, { cause });
  }
  if (!st.isFile()) throw new ValidationError('input', `${path} is no longer a regular file`);
  return st;
}

export async function convertFile(entry: PlanEntry, realOut: string, s: FileSettings): Promise<FileResult> {
  const out = outputPath(realOut, entry.output);
  await prepareOutput(realOut, out);
  const before = await statInput(entry.path);
  const existing = await stat(out).catch(() => undefined);
  if (existing !== undefined && existing.dev === before.dev && existing.ino === before.ino) {
    throw new ValidationError('output', `${out} is the input itself; converting would replace it`);
  }
  const common = { workers: s.workers, signal: s.signal, durable: s.durable };
  const progress = (pick: (p: Progress) => number) => (p: Progress) => s.onProgress?.(pick(p));
  let result: Omit<FileResult, 'inputSize' | 'inputMtimeMs'>;
  if (entry.op === 'pack') {
    const r = await pack(entry.path, out, { ...common, chunkSize: s.chunkSize, compression: s.compression, onProgress: progress((p) => p.bytes) });
    result = { bytes: r.bytes, storedBytes: r.storedBytes, chunks: r.chunks, rootDigest: r.rootDigest };
  } else if (entry.op === 'unpack') {
    const r = await unpack(entry.path, out, { ...common, onProgress: progress((p) => p.storedBytes) });
    result = { bytes: r.bytes, storedBytes: r.storedBytes, chunks: r.chunks, rootDigest: r.rootDigest };
  } else {
    result = await reencode(entry.path, out, s, progress((p) => p.storedBytes));
  }
  const after = await stat(entry.path).catch(() => undefined);
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
async function sourceName(path: string): Promise<string | undefined> {
  const input = await openSource(path);
  try {
    const h = await readContainerHeader(input, { maxChunkSize: MAX_CHUNK_SIZE, maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES });
    return h.source;
  } finally {
    await input.close();
  }
}

async function reencode(from: string, out: string, s: FileSettings, onProgress: (p: Progress) => void): Promise<Omit<FileResult, 'inputSize' | 'inputMtimeMs'>> {
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
