// SHA-256 throughput per core of the hash back ends on many equal chunks:
// wasm-simd (the project's 4-lane SIMD128 kernel) against hash-wasm and
// node:crypto. Runs the whole suite three times and reports the medians.
//   npm run bench:wasm            (builds first)
//   node bench/wasm.bench.mjs [--rounds N] [--time MS] [--json-out FILE]
import console from 'node:console';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import process from 'node:process';
import { Bench } from 'tinybench';
import { createHashWasmSha256 } from '../dist/engine/backends/hash-wasm.js';
import { createNodeCryptoSha256 } from '../dist/engine/backends/hasher.js';
import { createWasmSimdSha256 } from '../dist/engine/backends/wasm-simd.js';

/** @param {string} name @param {string} fallback */
function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] ?? fallback) : fallback;
}
const ROUNDS = Number(arg('--rounds', '3'));
const TIME_MS = Number(arg('--time', '1500'));
const JSON_OUT = arg('--json-out', '');

const KiB = 1024;
const MiB = 1024 * KiB;
// Chunk size and how many of them one batch (one timed call) hashes.
const CASES = [
  { label: '4 KiB', size: 4 * KiB, count: 256 },
  { label: '64 KiB', size: 64 * KiB, count: 64 },
  { label: '1 MiB', size: MiB, count: 8 },
];

/** splitmix32: seeded data, so every run hashes the same bytes. @param {number} seed */
function splitmix32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** @param {number} seed @param {number} size @param {number} count */
function chunks(seed, size, count) {
  const rng = splitmix32(seed);
  const words = new Uint32Array((size * count) / 4);
  for (let i = 0; i < words.length; i++) words[i] = rng();
  const bytes = new Uint8Array(words.buffer);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const hashers = [await createWasmSimdSha256(), await createHashWasmSha256(), createNodeCryptoSha256()];
const names = hashers.map((h) => h.name);

/**
 * MB/s over `calls` batches by this process's CPU time rather than the
 * clock: on a shared machine, time spent descheduled is not counted.
 * @param {{ hashMany: (i: Uint8Array[], o: Uint8Array[]) => void }} hasher
 * @param {Uint8Array[]} inputs @param {Uint8Array[]} outputs @param {number} calls
 */
function cpuMBps(hasher, inputs, outputs, calls) {
  const bytes = inputs.reduce((n, input) => n + input.length, 0);
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) hasher.hashMany(inputs, outputs);
  const used = process.cpuUsage(start);
  return (bytes * calls) / 1e6 / ((used.user + used.system) / 1e6);
}
const CPU_MS = 300;

/** @type {Record<string, Record<string, number[]>>} MB/s by case, then back end */
const results = {};
/** @type {Record<string, Record<string, number[]>>} the same, by CPU time */
const cpuResults = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const { label, size, count } of CASES) {
    const inputs = chunks(size + round, size, count);
    const outputs = inputs.map(() => new Uint8Array(32));
    const bench = new Bench({ name: label, time: TIME_MS, warmupTime: 300, warmupIterations: 5 });
    for (const hasher of hashers) bench.add(hasher.name, () => hasher.hashMany(inputs, outputs));
    await bench.run();
    const byName = (results[label] ??= {});
    const cpuByName = (cpuResults[label] ??= {});
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`${label} ${task.name}: ${r.state}`);
      // Median time per batch -> MB/s (10^6 bytes) on this one thread.
      (byName[task.name] ??= []).push((size * count) / 1e6 / (r.latency.p50 / 1000));
      const hasher = hashers.find((h) => h.name === task.name);
      if (hasher !== undefined) {
        const calls = Math.max(3, Math.ceil(CPU_MS / r.latency.p50));
        (cpuByName[task.name] ??= []).push(cpuMBps(hasher, inputs, outputs, calls));
      }
    }
    const line = names.map((n) => `${n} ${(byName[n]?.at(-1) ?? NaN).toFixed(0)}`).join(', ');
    const cpuLine = names.map((n) => `${n} ${(cpuByName[n]?.at(-1) ?? NaN).toFixed(0)}`).join(', ');
    console.log(`round ${round} ${label}: ${line} MB/s (by CPU time: ${cpuLine})`);
  }
}

/** @param {Record<string, Record<string, number[]>>} source */
const table = (source) =>
  CASES.map(({ label }) => {
    const byName = source[label] ?? {};
    const med = Object.fromEntries(names.map((n) => [n, median(byName[n] ?? [])]));
    const ratio = (med['wasm-simd'] ?? NaN) / (med['hash-wasm'] ?? NaN);
    return {
      chunk: label,
      ...Object.fromEntries(names.map((n) => [`${n} MB/s`, Math.round(med[n] ?? NaN)])),
      'wasm-simd / hash-wasm': Number(ratio.toFixed(2)),
    };
  });
const rows = table(results);
const cpuRows = table(cpuResults);
const where = `median of ${ROUNDS} rounds (node ${process.version}, ${process.arch})`;
console.log(`\nSHA-256, MB/s on one core (tinybench, median time per batch), ${where}`);
console.table(rows);
console.log(`\nThe same by CPU time (time descheduled on a shared machine not counted), ${where}`);
console.table(cpuRows);
if (JSON_OUT !== '') {
  await mkdir(dirname(JSON_OUT), { recursive: true });
  await writeFile(JSON_OUT, JSON.stringify({ node: process.version, rounds: ROUNDS, results, cpuResults, rows, cpuRows }, null, 2));
}
