// Writing a list of buffers in full: writev may write less than asked (a
// full pipe, a signal), so the rest is written until nothing is left. And
// where a temporary output goes.
import { writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { partialName } from './partial-name.js';

/** Drops the first `n` bytes of a buffer list (after a partial write). */
export function advance(chunks: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < chunks.length && n >= (chunks[i]?.length ?? 0)) n -= chunks[i++]?.length ?? 0;
  const rest = chunks.slice(i);
  const first = rest[0];
  if (first !== undefined && n > 0) rest[0] = first.subarray(n);
  return rest;
}

/** Writes every byte of `chunks` to `fd` (synchronously: for workers, which own their thread). */
export function writevAllSync(fd: number, chunks: Uint8Array[]): void {
  // IOV_MAX is 1024 on Linux.
  for (let pending = chunks; pending.length > 0; ) {
    const batch = pending.length > 1024 ? pending.slice(0, 1024) : pending;
    const total = batch.reduce((n, c) => n + c.length, 0);
    const written = writevSync(fd, batch);
    pending = written >= total ? pending.slice(batch.length) : advance(pending, written);
  }
}

/** Where an output is written until it is complete: beside it, named as partial-name.ts says. */
export function partialPath(path: string): string {
  return join(dirname(path), partialName(basename(path)));
}
