// Opens what the caller gave as input. A regular file becomes a positional
// source that workers read straight into the ring; anything else becomes a
// stream that the main thread copies into ring slots.
import { close, createReadStream, fstat, open, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { HiveError, InputChangedError, IoError, ValidationError } from '../errors.js';
import { StreamReader } from './stream-reader.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fstatAsync = promisify(fstat);

/** What a job reads: a file path, bytes in memory, a Node Readable, or an (async) iterable of byte chunks. */
export type Source = string | Uint8Array | Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface FileInput {
  kind: 'file';
  fd: number;
  size: number;
  path: string;
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
  close(): Promise<void>;
}

export type Input = FileInput | StreamInput;

export async function openSource(source: Source): Promise<Input> {
  if (typeof source === 'string') return openPath(source);
  if (source instanceof Uint8Array) return streamInput([source], source.length);
  if (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    return streamInput(source);
  }
  throw new ValidationError('source', 'expected a file path, a Uint8Array, a Node Readable or an (async) iterable of Uint8Array');
}

function streamInput(source: AsyncIterable<unknown> | Iterable<unknown>, size?: number): StreamInput {
  const reader = new StreamReader(wrapStreamErrors(source, 'input stream'));
  return { kind: 'stream', reader, path: undefined, size, close: () => reader.close() };
}

async function openPath(path: string): Promise<Input> {
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
    throw new IoError('read', path, { cause: Object.assign(new Error('is a directory'), { code: 'EISDIR' }) });
  }
  if (!st.isFile()) {
    // A pipe, FIFO or device: read it as a stream.
    const stream = createReadStream(path, { fd, highWaterMark: 1 << 20 });
    const reader = new StreamReader(wrapStreamErrors(stream, path));
    return {
      kind: 'stream',
      reader,
      path,
      size: undefined,
      close: async () => {
        await reader.close();
        stream.destroy();
      },
    };
  }
  const opened = { size: st.size, mtimeMs: st.mtimeMs };
  let closed = false;
  return {
    kind: 'file',
    fd,
    size: st.size,
    path,
    async checkUnchanged() {
      const now = await fstatAsync(fd);
      if (now.size !== opened.size) {
        throw new InputChangedError(path, `size went from ${opened.size} to ${now.size} bytes`);
      }
      if (now.mtimeMs !== opened.mtimeMs) throw new InputChangedError(path, 'its modification time changed');
    },
    async close() {
      if (closed) return;
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
