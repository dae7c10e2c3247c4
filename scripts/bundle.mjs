#!/usr/bin/env node
// Build step after tsc: bundles the CLI (dist/bin/hivestream.cjs). (Not the
// worker entry: a worker booted faster from its few modules, 56-76 ms, than
// from a bundle, 85-101 ms, same machine and session.) A short run pays mostly for loading
// code: `pack EMPTY` took 2.35x the CPU of `node -e 0` from ~70 ES modules,
// 1.84x from one ES-module bundle, 1.61x from one CommonJS bundle (no ES
// module loader to start; same machine and session). Library users import
// dist/ as tsc wrote it; run-time files are found from the package root
// (src/util/package-root.ts), so every layout works.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bin');
rmSync(out, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  // Error class names show in messages and tests: keep them.
  keepNames: true,
  // Packages stay as they are installed (native parts, optional peers).
  packages: 'external',
  logLevel: 'warning',
};
await build({
  ...common,
  format: 'cjs',
  entryPoints: [join(root, 'dist', 'cli', 'main.js')],
  outfile: join(out, 'hivestream.cjs'),
  // import.meta.url in a CommonJS bundle: this file's URL.
  banner: { js: 'const __hivestreamUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__hivestreamUrl' },
});
