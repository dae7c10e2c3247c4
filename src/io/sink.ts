// Where a job writes. A file is written under a temporary name in the same
// folder and renamed into place only on success (removed on failure), so a
// partial output never looks complete. Devices and FIFOs (/dev/null, a named
// pipe) are written directly. A Node Writable gets copies of ring bytes,
// since it may keep the buffers it is given after the ring slot is reused.
import { close, fsync, lstat, open, rename, unlink, writev } from 'node:fs';
import { advance, partialPath } from './write-all.js';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import { IoError, ValidationError } from '../errors.js';
import { syncDir } from './sync-dir.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fsyncAsync = promisify(fsync);
const renameAsync = promisify(rename);
const unlinkAsync = promisify(unlink);
const lstatAsync = promisify(lstat);
const writevAsync = promisify(writev);

/** Where a job writes: a file path or a Node Writable. */
export type SinkTarget = string | Writable;

export interface Sink {
  /** Writes the buffers in order; they may be views into the ring. */
  write(chunks: Uint8Array[]): Promise<void>;
  /** Makes the output visible (rename into place, end the stream). */
  commit(): Promise<void>;
  /** Removes what was written (or destroys the stream). Never throws. */
  abort(reason: unknown): Promise<void>;
  readonly label: string;
}

export interface SinkOptions {
  durable?: boolean;
}

export async function openSink(target: SinkTarget, opts: SinkOptions = {}): Promise<Sink> {
  if (typeof target === 'string') return openFileSink(target, opts);
  if (typeof target === 'object' && target !== null && typeof target.write === 'function') return writableSink(target);
  throw new ValidationError('sink', 'expected a file path or a Node Writable');
}

async function openFileSink(path: string, opts: SinkOptions): Promise<Sink> {
  if (path.length === 0) throw new ValidationError('sink', 'empty path');
  const existing = await lstatAsync(path).catch(() => undefined);
  if (existing?.isDirectory() === true) {
    throw new IoError('write', path, { cause: Object.assign(new Error('is a directory'), { code: 'EISDIR' }) });
  }
  const direct = existing !== undefined && !existing.isFile() && !existing.isSymbolicLink();
  const writePath = direct ? path : partialPath(path);
  let fd: number;
  try {
    fd = await openAsync(writePath, direct ? 'w' : 'wx', 0o666);
  } catch (cause) {
    throw new IoError('create', path, { cause });
  }
  let open = true;
  const closeFd = async (): Promise<void> => {
    if (!open) return;
    open = false;
    await closeAsync(fd);
  };
  return {
    label: path,
    async write(chunks) {
      let pending = chunks;
      try {
        while (pending.length > 0) {
          const total = pending.reduce((n, c) => n + c.length, 0);
          const { bytesWritten: written } = await writevAsync(fd, pending);
          if (written >= total) break;
          pending = advance(pending, written);
        }
      } catch (cause) {
        throw new IoError('write', path, { cause });
      }
    },
    async commit() {
      try {
        if (opts.durable === true && !direct) await fsyncAsync(fd);
        await closeFd();
        if (!direct) await renameAsync(writePath, path);
      } catch (cause) {
        if (!direct) await unlinkAsync(writePath).catch(() => undefined);
        throw new IoError('finish writing', path, { cause });
      }
      // The rename itself survives a crash only once the folder is synced.
      if (opts.durable === true && !direct) await syncDir(dirname(path));
    },
    async abort() {
      await closeFd().catch(() => undefined);
      if (!direct) await unlinkAsync(writePath).catch(() => undefined);
    },
  };
}

function writableSink(w: Writable): Sink {
  let failure: unknown;
  const onError = (err: unknown): void => {
    failure ??= err;
  };
  w.on('error', onError);
  const isStdio = w === process.stdout || w === process.stderr;
  const label = isStdio ? 'standard output' : 'output stream';
  const check = (): void => {
    if (failure !== undefined) throw new IoError('write', label, { cause: failure });
  };
  const waitFor = (event: 'drain' | 'finish'): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (): void => {
        w.off('error', fail);
        w.off('close', closed);
        resolve();
      };
      const fail = (err: unknown): void => {
        w.off(event, done);
        w.off('close', closed);
        reject(new IoError('write', label, { cause: err }));
      };
      const closed = (): void => {
        w.off(event, done);
        w.off('error', fail);
        if (failure !== undefined) reject(new IoError('write', label, { cause: failure }));
        else if (event === 'finish') resolve();
        else reject(new IoError('write', label, { cause: Object.assign(new Error('stream closed'), { code: 'EPIPE' }) }));
      };
      w.once(event, done);
      w.once('error', fail);
      w.once('close', closed);
    });
  return {
    label,
    async write(chunks) {
      check();
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const copy = Buffer.allocUnsafe(total);
      let at = 0;
      for (const c of chunks) {
        copy.set(c, at);
        at += c.length;
      }
      if (!w.write(copy)) await waitFor('drain');
      check();
    },
    async commit() {
      check();
      if (isStdio) {
        // Standard output is not ours to end: wait until what we wrote is flushed.
        await new Promise<void>((resolve, reject) => {
          w.write(Buffer.alloc(0), (err) => (err === null || err === undefined ? resolve() : reject(new IoError('write', label, { cause: err }))));
        });
      } else {
        const finished = waitFor('finish');
        w.end();
        await finished;
      }
      w.off('error', onError);
    },
    abort(reason) {
      // Destroying with the error tells whoever reads the stream that it is
      // incomplete; our error listener stays, so that error cannot crash a
      // caller that listens only to the promise.
      if (!isStdio) w.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      return Promise.resolve();
    },
  };
}
