// The one positional-read loop: a read(2) may return fewer bytes than asked
// (signals, page-cache boundaries), so read until the view is full or the
// file ends. Synchronous on purpose: callers read a header, 20-byte block
// prefixes (mostly from the page cache: an asynchronous read would cost a
// thread-pool round trip per block) or, in workers, their own chunks.
import { readSync } from 'node:fs';

/** Fills `into` from file position `position`; returns the bytes read (fewer only at the end of the file). */
export function preadFully(fd: number, into: Uint8Array, position: number): number {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
