// Making a rename (or a new file's name) durable: the file's own fsync
// covers its bytes, not the folder entry that names it, so after a crash the
// rename could be lost. fsync of the folder covers it.
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { IoError } from '../errors.js';

/** Errors that mean "this file system does not sync folders", not "the sync failed" (as PostgreSQL treats them). */
const UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF', 'EISDIR', 'EPERM']);

/** fsyncs a folder; a file system that cannot sync folders is not an error, a failed sync is. */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch (cause) {
    if (UNSUPPORTED.has((cause as NodeJS.ErrnoException).code ?? '')) return;
    throw new IoError('sync folder', dir, { cause });
  }
  try {
    await fh.sync();
  } catch (cause) {
    if (!UNSUPPORTED.has((cause as NodeJS.ErrnoException).code ?? '')) throw new IoError('sync folder', dir, { cause });
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** syncDir for workers, which own their thread: the same rules, synchronously. */
export function syncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (cause) {
    if (UNSUPPORTED.has((cause as NodeJS.ErrnoException).code ?? '')) return;
    throw new IoError('sync folder', dir, { cause });
  }
  try {
    fsyncSync(fd);
  } catch (cause) {
    if (!UNSUPPORTED.has((cause as NodeJS.ErrnoException).code ?? '')) throw new IoError('sync folder', dir, { cause });
  } finally {
    closeSync(fd);
  }
}
