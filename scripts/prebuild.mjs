#!/usr/bin/env node
// Builds the prebuilt addon of this machine's platform for the package
// (`npm pack` / `npm publish` run it through `prepack`, after `npm run build`):
// compiles from source, copies the module to
// prebuilds/<platform>-<arch>/hivestream.napi[.glibc|.musl].node (the layout
// node-gyp-build reads), and checks that the package's own loader takes it.
// Prebuilds of other platforms already in prebuilds/ (from other CI machines)
// are left as they are. See docs/NATIVE.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ADDON, compileAddon } from './compile-native.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const filesModule = join(root, 'dist', 'engine', 'backends', 'native-files.js');

/** @param {string} message */
function fail(message) {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

/**
 * The newest glibc symbol version the module needs (it runs on that glibc or later).
 * @param {Buffer} elf
 */
function glibcNeeded(elf) {
  const versions = [...elf.toString('latin1').matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]);
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const v = versions[versions.length - 1];
  return v === undefined ? undefined : `${v[0]}.${v[1]}${v[2] > 0 ? `.${v[2]}` : ''}`;
}

let files;
try {
  files = await import(pathToFileURL(filesModule).href);
} catch (err) {
  fail(`run 'npm run build' first (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
}
const failure = compileAddon(root);
if (failure !== undefined) fail(`the addon does not compile here: ${failure}`);

const rt = files.currentRuntime();
const rel = `${files.PREBUILD_DIR}/${files.prebuildFolder(rt)}/${files.prebuildName(rt)}`;
const target = join(root, rel);
mkdirSync(dirname(target), { recursive: true });
copyFileSync(join(root, ADDON), target);
// No debug sections in a shipped binary (node-gyp's Release build has few; strip is optional).
spawnSync('strip', ['--strip-unneeded', target]);

// The loader must pick this file when told to use a prebuild.
const check = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const m = await import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'engine', 'backends', 'native.js')).href)});
     const n = m.loadNative();
     console.log(JSON.stringify('error' in n ? { error: n.error } : { origin: m.nativeOrigin(), sha256Impl: n.features().sha256Impl }));`,
  ],
  { env: { ...process.env, HIVESTREAM_NATIVE: 'prebuild' }, encoding: 'utf8' },
);
let seen;
try {
  seen = JSON.parse(check.stdout);
} catch {
  fail(`the loader check did not run: ${check.stderr.trim()}`);
}
if (seen.error !== undefined) fail(`the loader does not take ${rel}: ${seen.error}`);
if (seen.origin?.file !== rel) fail(`the loader took ${seen.origin?.file} instead of ${rel}`);
const glibc = rt.libc === 'glibc' ? glibcNeeded(readFileSync(target)) : undefined;
const kib = Math.round(statSync(target).size / 1024);
// On stderr: `npm pack --json` runs this and its stdout must stay JSON.
console.error(`prebuild: ${rel} (${kib} KiB, N-API ${files.ADDON_NAPI_VERSION}${glibc === undefined ? '' : `, needs glibc ${glibc} or later`}; SHA-256 here: ${seen.sha256Impl})`);
