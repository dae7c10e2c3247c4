// Where an open descriptor's file really is, whatever links led to it:
// Linux says it in /proc/self/fd; elsewhere the path it was opened by,
// resolved, is the best there is (and can be raced).
import { readlink, realpath } from 'node:fs/promises';

export async function openedPath(fd: number, openedAs?: string): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return openedAs === undefined ? undefined : realpath(openedAs).catch(() => undefined);
  }
}
