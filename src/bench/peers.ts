// Finding external programs the way a shell does: the first executable of
// that name in a PATH directory. The benchmark takes PATH from the
// environment it is given, so a test can hide peers by narrowing PATH.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Absolute path of `name` on `pathEnv` (default: this process's PATH), or undefined. */
export function findOnPath(name: string, pathEnv: string | undefined = process.env.PATH): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    // An empty PATH entry means the current directory; a relative one is relative to it.
    const candidate = join(dir === '' ? '.' : dir, name);
    if (isExecutable(candidate)) return isAbsolute(candidate) ? candidate : join(process.cwd(), candidate);
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface Tool {
  name: string;
  path: string | undefined;
}

/** Looks up each program once. */
export function findTools(names: readonly string[], pathEnv?: string): Map<string, Tool> {
  return new Map(names.map((name) => [name, { name, path: findOnPath(name, pathEnv) }]));
}
