// Opening a convert input so that only what the walk saw is read. The walk
// and the read are separate steps, and anyone who can write in the input
// tree may swap a file (or a folder above it) for a link to a secret in
// between. So the input is opened without following a final link
// (O_NOFOLLOW; O_NONBLOCK so a FIFO swapped in cannot hang the open), the
// opened file must be the regular file the walk found (device and inode),
// and where it really is (/proc/self/fd) must still be inside the input
// folder. Anything else fails the file with InputChangedError, before a byte
// of it is read.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { InputChangedError, IoError } from '../errors.js';
import { openedPath } from '../io/fd-path.js';
import { isSameOrInside } from '../util/inside.js';
import type { PlanEntry } from './plan.js';

export async function openInput(entry: PlanEntry): Promise<FileHandle> {
  const path = entry.open ?? entry.path;
  // Files named on the command line are taken as given (links followed); walked ones never through a final link.
  const nofollow = entry.root === undefined ? 0 : constants.O_NOFOLLOW;
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | nofollow);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ELOOP') throw new InputChangedError(entry.path, 'it was replaced after the folder was listed (by a symbolic link)', { cause });
    throw new IoError('open', entry.path, { cause });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InputChangedError(entry.path, 'it is no longer a regular file');
    const seen = entry.identity;
    if (seen !== undefined && (st.dev !== seen.dev || st.ino !== seen.ino)) {
      throw new InputChangedError(entry.path, 'it was replaced after the folder was listed');
    }
    if (entry.root !== undefined) {
      const real = await openedPath(handle.fd, path);
      // Not named in the message: it may be the secret someone tried to leak.
      if (real === undefined || !isSameOrInside(real, entry.root)) throw new InputChangedError(entry.path, 'it now resolves outside the input folder (a folder on its way was replaced)');
    }
    return handle;
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}
