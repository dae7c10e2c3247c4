#!/usr/bin/env node
// Build step after tsc: bundles the CLI (dist/bin/hivestream.js, one chunk
// per command, loaded on demand) and the worker entry (dist/bin/worker.js).
// Loading one minified bundle instead of ~70 modules is what a short run
// pays for at start-up (pack of an empty file: 2.35x `node -e 0` unbundled,
// 1.6x bundled, same machine and run). Library users import dist/ as tsc
// wrote it; run-time files are found from the package root
// (src/util/package-root.ts), so both layouts work.
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
await build({ ...common, entryPoints: { hivestream: join(root, 'dist', 'cli', 'main.js') }, outdir: out, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
await build({ ...common, entryPoints: { worker: join(root, 'dist', 'engine', 'worker', 'entry.js') }, outdir: out });
