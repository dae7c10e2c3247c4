// Build step after tsc: assembles the generated SHA-256 kernel with wabt
// (a devDependency, so nothing is fetched at build time) into dist/.
import console from 'node:console';
import { mkdir, writeFile } from 'node:fs/promises';
import { URL, fileURLToPath } from 'node:url';
import { generateSha256x4Wat } from './gen-sha256x4.mjs';

const outDir = fileURLToPath(new URL('../dist/engine/backends/wasm-simd/', import.meta.url));

const wabt = await (await import('wabt')).default();
const wat = generateSha256x4Wat();
const mod = wabt.parseWat('sha256x4.wat', wat, { simd: true });
try {
  mod.validate();
  const { buffer } = mod.toBinary({ canonicalize_lebs: true });
  await mkdir(outDir, { recursive: true });
  // The .wat is kept beside the binary for reading, not loaded.
  await writeFile(`${outDir}sha256x4.wat`, wat);
  await writeFile(`${outDir}sha256x4.wasm`, buffer);
  // On stderr: `npm pack --json` runs the build and its stdout must stay JSON.
  console.error(`build-wasm: sha256x4.wasm (${buffer.length} bytes)`);
} finally {
  mod.destroy();
}
