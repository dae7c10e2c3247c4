// A file output (see output-target.ts for where it goes). Atomic outputs are
// written to a temporary file (partial-name.ts) tracked for exit-time
// cleanup (live-partials.ts) and renamed into place on commit. Every wait
// settles when the run is aborted; a write still running in the kernel then
// keeps its descriptor until it returns (closing it early could let a new
// file take the same number and receive the rest of that write).
import { close, fsync, open, rename, unlink, writev } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { IoError, ValidationError } from '../errors.js';
import { isSameOrInside } from '../util/inside.js';
import { raceAbort } from './abortable.js';
import { openedPath } from './fd-path.js';
import { trackPartial, untrackPartial } from './live-partials.js';
import type { OutputPlan, OutputRules } from './output-target.js';
import { partialPath, advance } from './write-all.js';
import { syncDir } from './sync-dir.js';
import type { Sink } from './sink.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fsyncAsync = promisify(fsync);
const renameAsync = promisify(rename);
const unlinkAsync = promisify(unlink);
const writevAsync = promisify(writev);

export interface FileSinkOptions extends OutputRules {
  durable?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

function outside(path: string, within: string): ValidationError {
  return new ValidationError('output', `${path} would be written outside ${within} (a folder on its way was replaced by a link)`);
}

export async function openFileSink(path: string, plan: OutputPlan, opts: FileSinkOptions): Promise<Sink> {
  const { signal, within } = opts;
  const tmp = plan.direct ? undefined : partialPath(plan.path);
  const opening = openAsync(tmp ?? plan.path, tmp === undefined ? plan.flags : 'wx', 0o666);
  if (tmp !== undefined) trackPartial(tmp);
  // A late open (a FIFO nobody reads) is closed, and its file removed, when it finally returns.
  const discard = (): void => {
    void opening.then(
      (fd) => closeAsync(fd).catch(() => undefined),
      () => undefined,
    );
    if (tmp !== undefined) void removeTemp(tmp);
  };
  let fd: number;
  try {
    fd = await raceAbort(opening, signal, `opening ${path}`);
  } catch (cause) {
    discard();
    if (cause instanceof Error && cause.name === 'AbortError') throw cause;
    throw new IoError('create', path, { cause });
  }
  if (tmp !== undefined && within !== undefined && !isSameOrInside((await openedPath(fd, tmp)) ?? '', within)) {
    // Gone before the error is: nothing is left where it must not be.
    await closeAsync(fd).catch(() => undefined);
    await removeTemp(tmp);
    throw outside(path, within);
  }

  let closed = false;
  /** The write the kernel may still be doing: the descriptor stays open until it returns. */
  let inflight: Promise<unknown> = Promise.resolve();
  const closeFd = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await inflight.catch(() => undefined);
    await closeAsync(fd);
  };
  const writeAll = async (chunks: Uint8Array[]): Promise<void> => {
    let pending = chunks;
    while (pending.length > 0) {
      const total = pending.reduce((n, c) => n + c.length, 0);
      const { bytesWritten: written } = await writevAsync(fd, pending);
      if (written >= total) break;
      pending = advance(pending, written);
    }
  };
  return {
    label: path,
    async write(chunks) {
      const w = writeAll(chunks);
      inflight = w.catch(() => undefined);
      try {
        await raceAbort(w, signal, `writing ${path}`);
      } catch (cause) {
        if (cause instanceof Error && cause.name === 'AbortError') throw cause;
        throw new IoError('write', path, { cause });
      }
    },
    async commit() {
      try {
        if (opts.durable === true && tmp !== undefined) await fsyncAsync(fd);
        await closeFd();
        if (tmp === undefined) return;
        if (within !== undefined && !isSameOrInside(await realpath(dirname(tmp)), within)) throw outside(path, within);
        await renameAsync(tmp, plan.path);
        untrackPartial(tmp);
      } catch (cause) {
        if (tmp !== undefined) await removeTemp(tmp);
        if (cause instanceof ValidationError) throw cause;
        throw new IoError('finish writing', path, { cause });
      }
      // The rename itself survives a crash only once the folder is synced.
      if (opts.durable === true && tmp !== undefined) await syncDir(dirname(plan.path));
    },
    async abort() {
      // The name goes at once; the descriptor when the kernel gives it back.
      if (tmp !== undefined) await removeTemp(tmp);
      void closeFd().catch(() => undefined);
    },
  };
}

async function removeTemp(tmp: string): Promise<void> {
  await unlinkAsync(tmp).catch(() => undefined);
  untrackPartial(tmp);
}

