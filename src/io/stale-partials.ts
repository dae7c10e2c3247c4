// Finding (and removing) the temporary outputs of writers that are gone:
// what `hivestream clean` does after a SIGKILL or a crash. Only files named
// as partial-name.ts names them are looked at, links are never followed, and
// a partial whose writer still runs (or ran on another host) is kept.
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { IoError } from '../errors.js';
import { parsePartialName, writerState } from './partial-name.js';

export interface CleanReport {
  /** Stale partials removed (or, with dryRun, that would be). */
  removed: string[];
  /** Partials whose writer still runs on this host. */
  live: string[];
  /** Partials written on another host: their writer cannot be checked from here. */
  otherHost: string[];
}

export async function cleanPartials(dirs: string[], opts: { recursive?: boolean; dryRun?: boolean } = {}): Promise<CleanReport> {
  const report: CleanReport = { removed: [], live: [], otherHost: [] };
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (cause) {
      throw new IoError('list', dir, { cause });
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (opts.recursive !== false) await visit(path);
        continue;
      }
      const info = e.isFile() ? parsePartialName(e.name) : undefined;
      if (info === undefined) continue;
      const state = writerState(info);
      if (state === 'alive') report.live.push(path);
      else if (state === 'unknown') report.otherHost.push(path);
      else {
        // Checked again right before: still a regular file (not swapped for a link meanwhile).
        const st = await lstat(path).catch(() => undefined);
        if (st?.isFile() !== true) continue;
        if (opts.dryRun !== true) {
          try {
            await unlink(path);
          } catch (cause) {
            if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
            throw new IoError('remove', path, { cause });
          }
        }
        report.removed.push(path);
      }
    }
  };
  for (const d of dirs) await visit(d);
  return report;
}
