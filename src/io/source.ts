// Opens what the caller gave as input. A regular file (a path, or an open
// FileHandle) becomes a positional source that workers read straight into
// the ring; anything else becomes a stream that the main thread copies into
// ring slots. Inputs know their identity (device and inode) where they have
// one, so that an output that is the input can be refused.
import { close, createReadStream, fstat, fstatSync, open, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { HiveError, InputChangedError, IoError, ValidationError } from '../errors.js';
import type { FileIdentity } from './output-target.js';
import { StreamReader } from './stream-reader.js';
import { openedPath } from './fd-path.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fstatAsync = promisify(fstat);

/** What a job reads: a file path, an open FileHandle, bytes in memory, a Node Readable, or an (async) iterable of byte chunks. */
export type Source = string | FileHandle | Uint8Array | Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface FileInput {
  kind: 'file';
  fd: number;
  size: number;
  path: string;
  identity: FileIdentity;
  /** Throws InputChangedError when the file changed since it was opened. */
  checkUnchanged(): Promise<void>;
  close(): Promise<void>;
}

export interface StreamInput {
  kind: 'stream';
  reader: StreamReader;
  path: string | undefined;
  /** Bytes the stream holds, when known in advance (bytes in memory). */
  size: number | undefined;
  identity: FileIdentity | undefined;
  close(): Promise<void>;
}

export type Input = FileInput | StreamInput;

export interface OpenSourceOptions {
  /** Waits for a stream source settle when this aborts. */
  signal?: AbortSignal | undefined;
}

function isFileHandle(v: object): v is FileHandle {
  const h = v as Partial<FileHandle>;
  return typeof h.fd === 'number' && typeof h.stat === 'function' && typeof h.readFile === 'function' && !(Symbol.asyncIterator in v);
}

function isDirectoryError(label: string): IoError {
  return new IoError('read', label, { cause: Object.assign(new Error('is a directory'), { code: 'EISDIR' }) });
}

export async function openSource(source: Source, opts: OpenSourceOptions = {}): Promise<Input> {
  if (typeof source === 'string') return openPath(source, opts);
  if (source instanceof Uint8Array) return streamInput([source], opts, source.length);
  if (typeof source === 'object' && source !== null && isFileHandle(source)) {
    // Named by the file it is (Linux), so that errors and the header's source name it.
    const label = (await openedPath(source.fd)) ?? `file descriptor ${source.fd}`;
    const st = await source.stat().catch((cause: unknown) => {
      throw new IoError('stat', label, { cause });
    });
    if (st.isDirectory()) throw isDirectoryError(label);
    if (!st.isFile()) throw new ValidationError('source', `${label} is not a regular file (pass a stream for pipes and devices)`);
    // The caller opened it: the caller closes it.
    return fileInput(source.fd, label, st, false);
  }
  if (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    let identity: FileIdentity | undefined;
    if (source === process.stdin) {
      // `pack - < folder` reads nothing from a folder: say so rather than pack an empty stream.
      const st = fstatSync(0);
      if (st.isDirectory()) throw isDirectoryError('standard input');
      identity = { dev: st.dev, ino: st.ino };
    }
    return streamInput(source, opts, undefined, identity);
  }
  throw new ValidationError('source', 'expected a file path, a FileHandle, a Uint8Array, a Node Readable or an (async) iterable of Uint8Array');
}

function streamInput(source: AsyncIterable<unknown> | Iterable<unknown>, opts: OpenSourceOptions, size?: number, identity?: FileIdentity, path?: string): StreamInput {
  const reader = new StreamReader(wrapStreamErrors(source, path ?? 'input stream'));
  if (opts.signal !== undefined) reader.cancelOn(opts.signal);
  return {
    kind: 'stream',
    reader,
    path,
    size,
    identity,
    close: async () => {
      // A Readable left stuck in a read is destroyed, so it lets go of what it holds.
      const stalled = await reader.close();
      const s = source as Partial<Readable>;
      if (stalled && typeof s.destroy === 'function') s.destroy();
    },
  };
}

async function openPath(path: string, opts: OpenSourceOptions): Promise<Input> {
  if (path.length === 0) throw new ValidationError('source', 'empty path');
  let fd: number;
  try {
    fd = await openAsync(path, 'r');
  } catch (cause) {
    throw new IoError('open', path, { cause });
  }
  let st: Stats;
  try {
    st = await fstatAsync(fd);
  } catch (cause) {
    await closeAsync(fd).catch(() => undefined);
    throw new IoError('stat', path, { cause });
  }
  if (st.isDirectory()) {
    await closeAsync(fd).catch(() => undefined);
    throw isDirectoryError(path);
  }
  if (!st.isFile()) {
    // A pipe, FIFO or device: read it as a stream.
    const stream = createReadStream(path, { fd, highWaterMark: 1 << 20 });
    const input = streamInput(stream, opts, undefined, { dev: st.dev, ino: st.ino }, path);
    return {
      ...input,
      close: async () => {
        await input.close();
        stream.destroy();
      },
    };
  }
  return fileInput(fd, path, st, true);
}

function fileInput(fd: number, path: string, st: Stats, ownsFd: boolean): FileInput {
  const opened = { size: st.size, mtimeMs: st.mtimeMs };
  let closed = false;
  return {
    kind: 'file',
    fd,
    size: st.size,
    path,
    identity: { dev: st.dev, ino: st.ino },
    async checkUnchanged() {
      const now = await fstatAsync(fd);
      if (now.size !== opened.size) {
        throw new InputChangedError(path, `size went from ${opened.size} to ${now.size} bytes`);
      }
      if (now.mtimeMs !== opened.mtimeMs) throw new InputChangedError(path, 'its modification time changed');
    },
    async close() {
      if (closed || !ownsFd) return;
      closed = true;
      await closeAsync(fd).catch(() => undefined);
    },
  };
}

/** Turns a stream's errno errors into IoError naming the path. */
export async function* wrapStreamErrors(stream: AsyncIterable<unknown> | Iterable<unknown>, label: string): AsyncGenerator<unknown> {
  try {
    yield* stream;
  } catch (cause) {
    if (cause instanceof HiveError) throw cause;
    throw new IoError('read', label, { cause });
  }
}
