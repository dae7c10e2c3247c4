// The temporary files this process is writing now, so that an exit that
// cannot wait for the runs to clean up (a second Ctrl-C) still removes them,
// synchronously, before the process goes.
import { unlinkSync } from 'node:fs';

const live = new Set<string>();

export function trackPartial(path: string): void {
  live.add(path);
}

export function untrackPartial(path: string): void {
  live.delete(path);
}

/** Removes every temporary output still being written; returns how many. For exit paths only. */
export function removeLivePartialsSync(): number {
  let n = 0;
  for (const path of live) {
    try {
      unlinkSync(path);
      n++;
    } catch {
      // Already gone (renamed into place or removed meanwhile).
    }
  }
  live.clear();
  return n;
}
