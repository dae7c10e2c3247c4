// Micro-benchmark of the native addon against what it replaces:
//   SHA-256: sha256Batch over many chunks of one SharedArrayBuffer vs
//            node:crypto createHash per chunk (and `openssl speed` for scale);
//   LZ4:     lz4CompressBatch / lz4DecompressBatch vs lz4-napi's
//            compressSync / uncompressSync, on 1 MiB JSON-lines-like chunks.
// Runs the whole set several times (default 3) and reports the medians.
// Usage: npm run bench:native [-- --runs=N --clock=cpu|wall]   (or node bench/native.bench.mjs after npm run build)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { compressSync, uncompressSync } from 'lz4-napi';
import { Bench } from 'tinybench';
import { isNativeAvailable, loadNative } from '../dist/engine/backends/native.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** @param {string} name @param {string} fallback */
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const RUNS = Math.max(1, Number(option('runs', '3')));
// Timed by this process's CPU time by default, as `openssl speed` is (user
// CPU time unless -elapsed): steady on a machine other processes keep busy.
// `--clock=wall` times with the wall clock instead.
const CLOCK = option('clock', 'cpu');
const now =
  CLOCK === 'cpu'
    ? () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

const loaded = loadNative();
if (!isNativeAvailable(loaded)) {
  console.error(`native addon unavailable: ${loaded.error}`);
  process.exit(1);
}
const native = loaded;
native.setSha256Impl('auto');
const features = native.features();

// --- seeded data -----------------------------------------------------------

/** @param {number} seed splitmix32: reproducible, no Math.random. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** @param {Uint8Array} out @param {() => number} next */
function fillRandom(out, next) {
  for (let i = 0; i < out.length; i++) out[i] = next();
}

/** @param {Uint8Array} out @param {() => number} next JSON lines, like application logs. */
function fillText(out, next) {
  const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
  const events = ['click', 'view', 'purchase', 'login', 'logout', 'scroll'];
  const pages = ['/', '/cart', '/search?q=shoes', '/item/4711', '/checkout', '/account'];
  const encoder = new TextEncoder();
  let at = 0;
  let id = next() % 100_000;
  while (at < out.length) {
    const line =
      `{"id":${id++},"ts":${1_700_000_000_000 + id * 37},"user":"${users[next() % users.length]}",` +
      `"event":"${events[next() % events.length]}","page":"${pages[next() % pages.length]}",` +
      `"ms":${next() % 5000},"ok":${next() % 10 > 0}}\n`;
    at += encoder.encodeInto(line, out.subarray(at)).written;
  }
}

// One SharedArrayBuffer, laid out like the engine's ring: the data, then
// room for digests, compressed blocks and decompressed copies.
const DATA = 16 * MiB; // bytes processed per benchmark iteration
const LZ4_CHUNK = 1 * MiB;
const LZ4_CHUNKS = DATA / LZ4_CHUNK;
const LZ4_CAP = LZ4_CHUNK + Math.ceil(LZ4_CHUNK / 255) + 64; // LZ4_compressBound + prefix
const DIGESTS = DATA; // offsets of each region
const COMPRESSED = DIGESTS + (DATA / (4 * KiB)) * 32;
const RESTORED = COMPRESSED + LZ4_CHUNKS * LZ4_CAP;
const sab = new SharedArrayBuffer(RESTORED + DATA);
const bytes = new Uint8Array(sab);
{
  // Mixed data for hashing: alternate random and text megabytes. The LZ4
  // cases use a separate all-text copy (below) so every chunk compresses.
  const next = prng(2024);
  for (let at = 0; at < DATA; at += MiB) {
    if ((at / MiB) % 2 === 0) fillRandom(bytes.subarray(at, at + MiB), next);
    else fillText(bytes.subarray(at, at + MiB), next);
  }
}
const textSab = new SharedArrayBuffer(DATA + LZ4_CHUNKS * LZ4_CAP + DATA);
const text = new Uint8Array(textSab);
fillText(text.subarray(0, DATA), prng(7));

/** @param {number} chunk */
function shaJobs(chunk) {
  const n = DATA / chunk;
  const jobs = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) jobs.set([i * chunk, chunk, DIGESTS + (i % (DATA / (4 * KiB))) * 32], i * 3);
  return jobs;
}
const sha4k = shaJobs(4 * KiB);
const sha1m = shaJobs(MiB);

const compressJobs = new Float64Array(LZ4_CHUNKS * 4);
for (let i = 0; i < LZ4_CHUNKS; i++) compressJobs.set([i * LZ4_CHUNK, LZ4_CHUNK, DATA + i * LZ4_CAP, LZ4_CAP], i * 4);
const compressed = new Int32Array(LZ4_CHUNKS);
native.lz4CompressBatch(textSab, compressJobs, compressed);
const decompressJobs = new Float64Array(LZ4_CHUNKS * 4);
for (let i = 0; i < LZ4_CHUNKS; i++) {
  decompressJobs.set([DATA + i * LZ4_CAP, compressed[i] ?? 0, DATA + LZ4_CHUNKS * LZ4_CAP + i * LZ4_CHUNK, LZ4_CHUNK], i * 4);
}
const restored = new Int32Array(LZ4_CHUNKS);
native.lz4DecompressBatch(textSab, decompressJobs, restored);
const textChunks = Array.from({ length: LZ4_CHUNKS }, (_, i) => Buffer.from(textSab, i * LZ4_CHUNK, LZ4_CHUNK));
const napiBlocks = textChunks.map((c) => compressSync(c));
if (!restored.every((n) => n === LZ4_CHUNK) || !Buffer.from(textSab, DATA + LZ4_CHUNKS * LZ4_CAP, DATA).equals(text.subarray(0, DATA))) {
  throw new Error('native LZ4 round trip failed');
}
const nativeRatio = DATA / compressed.reduce((a, b) => a + b, 0);
const napiRatio = DATA / napiBlocks.reduce((a, b) => a + b.length, 0);

// --- cases -----------------------------------------------------------------

/** @type {[string, () => void][]} each processes DATA bytes */
const cases = [
  ['sha256 4KiB native sha256Batch', () => native.sha256Batch(sab, sha4k)],
  [
    'sha256 4KiB node:crypto createHash',
    () => {
      for (let at = 0; at < DATA; at += 4 * KiB) createHash('sha256').update(bytes.subarray(at, at + 4 * KiB)).digest();
    },
  ],
  ['sha256 1MiB native sha256Batch', () => native.sha256Batch(sab, sha1m)],
  [
    'sha256 1MiB native sha256 (1 lane)',
    () => {
      for (let at = 0; at < DATA; at += MiB) native.sha256(bytes.subarray(at, at + MiB));
    },
  ],
  [
    'sha256 1MiB node:crypto createHash',
    () => {
      for (let at = 0; at < DATA; at += MiB) createHash('sha256').update(bytes.subarray(at, at + MiB)).digest();
    },
  ],
  ['lz4 compress 1MiB native batch', () => native.lz4CompressBatch(textSab, compressJobs, compressed)],
  [
    'lz4 compress 1MiB lz4-napi compressSync',
    () => {
      for (const chunk of textChunks) compressSync(chunk);
    },
  ],
  ['lz4 decompress 1MiB native batch', () => native.lz4DecompressBatch(textSab, decompressJobs, restored)],
  [
    'lz4 decompress 1MiB lz4-napi uncompressSync',
    () => {
      for (const block of napiBlocks) uncompressSync(block);
    },
  ],
];

/** MB/s (10^6 bytes) per case for one run, from tinybench's median latency. */
async function runOnce() {
  const bench = new Bench({ time: 800, warmupTime: 200, iterations: 8, now });
  for (const [name, fn] of cases) bench.add(name, fn);
  await bench.run();
  /** @type {Record<string, number>} */
  const out = {};
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    out[task.name] = DATA / 1e6 / (r.latency.p50 / 1000);
  }
  return out;
}

/** openssl's own SHA-256 figure for 16 KiB blocks, in MB/s, or undefined without openssl. */
function opensslSpeed() {
  const run = spawnSync('openssl', ['speed', '-evp', 'sha256', '-seconds', '2', '-bytes', '16384'], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const line = run.stdout.split('\n').find((l) => /^sha256\s/i.test(l));
  const value = line?.trim().split(/\s+/).at(-1);
  return value === undefined ? undefined : Number.parseFloat(value) / 1000; // "1652391.94k" = 1000s of bytes/s
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

console.log(`hivestream native benchmark: ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
console.log(`sha256: ${features.sha256Impl}; lz4: ${features.lz4.available ? `liblz4 ${features.lz4.version}` : features.lz4.error}`);
console.log(`${RUNS} runs, ${DATA / MiB} MiB per iteration, ${CLOCK} clock; MB/s (10^6 bytes/s) and ratios are medians of the runs\n`);

/** @type {Record<string, number[]>} */
const samples = {};
for (let run = 1; run <= RUNS; run++) {
  const result = await runOnce();
  const openssl = opensslSpeed();
  if (openssl !== undefined) result['sha256 16KiB openssl speed -evp (reference)'] = openssl;
  for (const [name, mbps] of Object.entries(result)) (samples[name] ??= []).push(mbps);
  console.log(`run ${run}/${RUNS} done (load average ${loadavg()[0]?.toFixed(2) ?? '?'})`);
}

/** @type {Record<string, number>} */
const med = {};
for (const [name, values] of Object.entries(samples)) med[name] = median(values);

console.log('');
for (const [name, values] of Object.entries(samples)) {
  console.log(`${name.padEnd(46)} ${(med[name] ?? 0).toFixed(0).padStart(6)} MB/s   (runs: ${values.map((v) => v.toFixed(0)).join(', ')})`);
}

/** Median over the runs of each run's a/b: pairs figures measured close together in time. */
/** @param {string} a @param {string} b */
const ratio = (a, b) => {
  const x = samples[a];
  const y = samples[b];
  if (x === undefined || y === undefined) return 'n/a';
  return `${median(x.map((v, i) => v / (y[i] ?? Number.NaN))).toFixed(2)}x`;
};
const ratios = {
  'sha256 4KiB: native batch / node:crypto': ratio('sha256 4KiB native sha256Batch', 'sha256 4KiB node:crypto createHash'),
  'sha256 1MiB: native batch / node:crypto': ratio('sha256 1MiB native sha256Batch', 'sha256 1MiB node:crypto createHash'),
  'sha256 1MiB: native 1 lane / openssl 16KiB': ratio('sha256 1MiB native sha256 (1 lane)', 'sha256 16KiB openssl speed -evp (reference)'),
  'sha256 1MiB: native batch / openssl 16KiB': ratio('sha256 1MiB native sha256Batch', 'sha256 16KiB openssl speed -evp (reference)'),
  'lz4 compress: native / lz4-napi': ratio('lz4 compress 1MiB native batch', 'lz4 compress 1MiB lz4-napi compressSync'),
  'lz4 decompress: native / lz4-napi': ratio('lz4 decompress 1MiB native batch', 'lz4 decompress 1MiB lz4-napi uncompressSync'),
};
console.log('');
for (const [name, value] of Object.entries(ratios)) console.log(`${name.padEnd(46)} ${value.padStart(6)}`);
console.log(`${'lz4 compression ratio: native / lz4-napi'.padEnd(46)} ${nativeRatio.toFixed(2)} / ${napiRatio.toFixed(2)}`);

mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/native.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, node: process.version, runs: RUNS, clock: CLOCK, mbps: med, samples, ratios, lz4Ratio: { native: nativeRatio, lz4napi: napiRatio } }, null, 2)}\n`,
);
