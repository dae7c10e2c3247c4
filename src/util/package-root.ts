// Where the package is installed: files the code loads at run time (the
// native addon, the WebAssembly kernel, the worker entry, package.json) are
// found from here, not from the calling module's own location, so the same
// code works compiled file by file (dist/) and bundled (dist/bin/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding hivestream's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hivestream') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`internal: hivestream's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A file of the package, by its path from the package root ('dist/engine/worker/entry.js'). */
export function packageFile(path: string): string {
  return join(packageRoot(), ...path.split('/'));
}
