#!/usr/bin/env node
// Install step: makes the native addon available. The prebuild shipped in the
// package is used when it loads here; otherwise the addon is compiled from
// source (build/Release/hivestream_native.node). A failed build must never
// fail `npm install`: the engine then uses its portable back ends, says so
// when it runs, and this script says so, and why, in one line.
//
//   npm install --build-from-source      (or HIVESTREAM_BUILD_FROM_SOURCE=1): compile even when a prebuild loads
//   HIVESTREAM_SKIP_NATIVE=1             neither: portable back ends only
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ADDON, compileAddon } from './compile-native.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} why */
function unavailable(why) {
  console.log(`hivestream: native addon unavailable (${why}); portable SHA-256/LZ4 back ends will be used`);
  process.exit(0);
}

/**
 * The prebuild, through the package's own loader (dist/ is in the package; a
 * fresh clone has neither dist/ nor prebuilds/). Returns the line to print
 * when it loads, else why not (undefined when there is nothing to try).
 * @returns {Promise<{ ok: string } | { why: string } | undefined>}
 */
async function tryPrebuild() {
  const loader = resolve(root, 'dist', 'engine', 'backends', 'native.js');
  if (!existsSync(resolve(root, 'prebuilds')) || !existsSync(loader)) return undefined;
  process.env.HIVESTREAM_NATIVE = 'prebuild';
  const native = await import(pathToFileURL(loader).href);
  const loaded = native.loadNative();
  if ('error' in loaded) return { why: loaded.error };
  const f = loaded.features();
  const lz4 = f.lz4.available ? `liblz4 ${f.lz4.version ?? ''}` : `no liblz4 (${f.lz4.error ?? ''}): LZ4 falls back to lz4-napi until liblz4 is installed`;
  return { ok: `hivestream: using the prebuilt native addon (${native.nativeOrigin()?.file ?? ''}; SHA-256 ${f.sha256Impl}, ${lz4})` };
}

if (process.env.HIVESTREAM_SKIP_NATIVE === '1') unavailable('build skipped: HIVESTREAM_SKIP_NATIVE=1');
// A source checkout (src/ is not in the package) always compiles: a prebuild there may be older than the C sources.
const checkout = existsSync(resolve(root, 'src', 'index.ts'));
const fromSource = checkout || process.env.npm_config_build_from_source === 'true' || process.env.HIVESTREAM_BUILD_FROM_SOURCE === '1';
const prebuild = fromSource ? undefined : await tryPrebuild();
if (prebuild !== undefined && 'ok' in prebuild) {
  console.log(prebuild.ok);
  process.exit(0);
}
const failure = compileAddon(root);
if (failure !== undefined) unavailable(prebuild === undefined ? failure : `${prebuild.why}; compiling from source failed: ${failure}`);
console.log(`hivestream: native addon built from source (${ADDON})${prebuild === undefined ? '' : ` because the prebuild did not load: ${prebuild.why}`}`);
