// Micro-benchmarks of the engine's parts, one tinybench run:
//   - SHA-256: every hash back end that loads here, per chunk size (16 MiB per iteration)
//   - LZ4: compress and decompress, every LZ4 back end, 64 KiB and 1 MiB text chunks
//   - ring: slot acquire and release, one at a time and 16 at a time
//   - dispatch: a Piscina task round trip per chunk, one slot per task vs 16
//     batched, awaited one by one and pipelined over 2 workers
//   - container record: head + tail encode, and the bounded decode
//   - resilience: the coordinator (retry + breaker + timeout) and the engine's
//     TaskGuard around an already-resolved call
// Figures are medians (tinybench p50) of each task's iterations, wall clock.
// Usage: npm run bench:micro [-- --time=400]   (or node bench/micro.bench.mjs after npm run build)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { createHashKernel, createLz4Kernel, HASH_BACKENDS, LZ4_BACKENDS } from '../dist/engine/backends/kernels.js';
import { resolveBackends } from '../dist/engine/backends/select.js';
import { Ring } from '../dist/engine/ring.js';
import { createPool } from '../dist/engine/pool.js';
import { F } from '../dist/engine/layout.js';
import { TaskGuard } from '../dist/engine/guard.js';
import { encodeHead, encodeTail, headSize, decodeRecord } from '../dist/format/record.js';
import { fillBlock } from '../dist/util/profiles.js';
import { ErrorRecoveryCoordinator } from '../dist/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** @param {string} name @param {string} fallback */
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const TIME_MS = Number(option('time', '400'));
const DATA = 16 * MiB;
/** Calls per iteration for the per-call cases: spreads the timer's own cost. */
const BATCH = 1000;

/** @param {number} n */
const size = (n) => (n >= MiB ? `${n / MiB} MiB` : `${n / KiB} KiB`);

/** @type {Array<{ name: string; group: string; fn: () => unknown; bytes?: number; ops?: number }>} */
const cases = [];
/** @type {string[]} */
const notes = [];

// --- SHA-256 per back end and chunk size ------------------------------------
// One buffer: 16 MiB of mixed data (text and tensor megabytes), then digests.
const data = new Uint8Array(new SharedArrayBuffer(DATA + (DATA / (4 * KiB)) * 32 + 2 * DATA));
for (let b = 0; b < DATA / MiB; b++) fillBlock(b % 2 === 0 ? 'text' : 'tensor', data.subarray(b * MiB, (b + 1) * MiB), 1, b);
for (const name of HASH_BACKENDS) {
  let kernel;
  try {
    kernel = await createHashKernel(name);
  } catch (err) {
    notes.push(`hash back end ${name} skipped: ${err instanceof Error ? err.message : String(err)}`);
    continue;
  }
  for (const chunk of [4 * KiB, 64 * KiB, MiB, 4 * MiB]) {
    const n = DATA / chunk;
    const jobs = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) jobs.set([i * chunk, chunk, DATA + i * 32], i * 3);
    cases.push({ group: 'sha256', name: `sha256 ${name} ${size(chunk)} chunks`, bytes: DATA, fn: () => kernel.hash(data, jobs, n) });
  }
}

// --- LZ4 compress and decompress -----------------------------------------------
// Text, then compressed blocks (a little over 16 MiB), then restored bytes.
const RESTORED = 2 * DATA + MiB;
const text = new Uint8Array(new SharedArrayBuffer(RESTORED + DATA));
for (let b = 0; b < DATA / MiB; b++) fillBlock('text', text.subarray(b * MiB, (b + 1) * MiB), 2, b);
for (const name of LZ4_BACKENDS) {
  let kernel;
  try {
    kernel = createLz4Kernel(name);
  } catch (err) {
    notes.push(`LZ4 back end ${name} skipped: ${err instanceof Error ? err.message : String(err)}`);
    continue;
  }
  for (const chunk of [64 * KiB, MiB]) {
    const n = DATA / chunk;
    const cap = chunk + Math.ceil(chunk / 255) + 32;
    const cJobs = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) cJobs.set([i * chunk, chunk, DATA + i * cap, cap], i * 4);
    const sizes = new Int32Array(n);
    kernel.compress(text, cJobs, n, sizes);
    const dJobs = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) dJobs.set([DATA + i * cap, sizes[i] ?? 0, RESTORED + i * chunk, chunk], i * 4);
    const back = new Int32Array(n);
    kernel.decompress(text, dJobs, n, back);
    if (!back.every((v) => v === chunk) || !text.subarray(RESTORED, RESTORED + DATA).every((v, i) => v === text[i])) throw new Error(`${name}: LZ4 round trip failed`);
    const ratio = sizes.reduce((a, b) => a + b, 0) / DATA;
    cases.push({ group: 'lz4', name: `lz4 compress ${name} ${size(chunk)} text (ratio ${ratio.toFixed(2)})`, bytes: DATA, fn: () => kernel.compress(text, cJobs, n, sizes) });
    cases.push({ group: 'lz4', name: `lz4 decompress ${name} ${size(chunk)} text`, bytes: DATA, fn: () => kernel.decompress(text, dJobs, n, back) });
  }
}

// --- ring slots -------------------------------------------------------------------
const ring = new Ring({ slots: 64, inputBytes: 4 * KiB, outputBytes: 0 });
cases.push({
  group: 'ring', name: 'ring acquire(1) + release', ops: BATCH,
  fn: async () => {
    for (let i = 0; i < BATCH; i++) {
      const [slot] = await ring.acquire(1);
      ring.release(slot ?? 0);
    }
  },
});
cases.push({
  group: 'ring', name: 'ring acquire(16) + 16 releases, per slot', ops: BATCH,
  fn: async () => {
    for (let i = 0; i < BATCH / 16; i++) for (const slot of await ring.acquire(16)) ring.release(slot);
  },
});

// --- task dispatch --------------------------------------------------------------------
// 4 KiB chunks already in the ring (readAt -1): the worker only hashes them,
// so the round trip is mostly dispatch.
const backends = await resolveBackends({});
const dring = new Ring({ slots: 64, inputBytes: 4 * KiB, outputBytes: 0 });
for (let s = 0; s < 64; s++) {
  dring.set(s, F.readAt, -1);
  dring.set(s, F.length, 4 * KiB);
}
const pool1 = createPool(dring, 1, backends);
const pool2 = createPool(dring, 2, backends);
const task = (slots) => ({ op: 'pack', slots, fd: -1, lz4: false });
const slots16 = Array.from({ length: 16 }, (_, i) => i);
const one = Array.from({ length: 64 }, (_, i) => task([i]));
const sixteen = [0, 16, 32, 48].map((s) => task(slots16.map((i) => i + s)));
cases.push({ group: 'dispatch', name: 'dispatch 1 chunk/task, awaited, 1 worker (per chunk)', ops: 1, fn: () => pool1.run(one[0]) });
cases.push({ group: 'dispatch', name: 'dispatch 16 chunks/task, awaited, 1 worker (per chunk)', ops: 16, fn: () => pool1.run(sixteen[0]) });
cases.push({ group: 'dispatch', name: 'dispatch 1 chunk/task, 64 in flight, 2 workers (per chunk)', ops: 64, fn: () => Promise.all(one.map((t) => pool2.run(t))) });
cases.push({ group: 'dispatch', name: 'dispatch 16 chunks/task, 4 in flight, 2 workers (per chunk)', ops: 64, fn: () => Promise.all(sixteen.map((t) => pool2.run(t))) });

// --- container record -----------------------------------------------------------------
const digest = new Uint8Array(32).fill(7);
const head = { sequence: 123456, offset: 123456 * MiB, length: MiB, codec: 1, sha256: digest, storedLength: 400_000 };
const scratch = new Uint8Array(4096);
const encoded = new Uint8Array(4096);
cases.push({
  group: 'record', name: 'record encode head + tail', ops: BATCH,
  fn: () => {
    for (let i = 0; i < BATCH; i++) {
      head.sequence = i;
      const pos = encodeHead(encoded, 0, head);
      encoded.set(encodeTail(null, ''), pos);
    }
  },
});
// A whole record with 64 bytes of data, decoded with every check.
const small = { ...head, sequence: 5, storedLength: 64, codec: 0, length: 64 };
let end = encodeHead(scratch, 0, small);
end += 64;
const tail = encodeTail(null, '');
scratch.set(tail, end);
end += tail.length;
if (end !== headSize(small) + 64 + tail.length) throw new Error('record size mismatch');
cases.push({
  group: 'record', name: 'record decode (bounded, all checks)', ops: BATCH,
  fn: () => {
    for (let i = 0; i < BATCH; i++) decodeRecord(scratch, 0, end, { sequence: 5, baseOffset: 0, chunkSize: MiB });
  },
});

// --- resilience wrappers --------------------------------------------------------------
const resolved = async () => 42;
const coordinator = new ErrorRecoveryCoordinator({ timeout: 30_000, retry: { maxAttempts: 6 }, breaker: { openMs: 500 } });
const noSignal = new AbortController().signal;
const guard = new TaskGuard({}, noSignal);
const fakePool = { run: async () => null, queueSize: 0, threads: 1, close: async () => undefined };
cases.push({ group: 'resilience', name: 'bare await (baseline)', ops: BATCH, fn: async () => { for (let i = 0; i < BATCH; i++) await resolved(); } });
cases.push({ group: 'resilience', name: 'coordinator retry(breaker(timeout))', ops: BATCH, fn: async () => { for (let i = 0; i < BATCH; i++) await coordinator.executeWithRecovery(resolved); } });
cases.push({ group: 'resilience', name: 'engine TaskGuard.run (no-op pool)', ops: BATCH, fn: async () => { for (let i = 0; i < BATCH; i++) await guard.run(fakePool, one[0]); } });

// --- run ----------------------------------------------------------------------------------
const bench = new Bench({ time: TIME_MS, warmupTime: Math.min(200, TIME_MS), iterations: 8, throws: true });
for (const c of cases) bench.add(c.name, c.fn);
await bench.run();
await Promise.all([pool1.close(), pool2.close()]);
guard.close();

const rows = [];
const results = {};
for (const [i, t] of bench.tasks.entries()) {
  const c = cases[i];
  const r = t.result;
  if (c === undefined || r === undefined || r.state !== 'completed') throw new Error(`${t.name}: ${r?.state ?? 'no result'}`);
  const ms = r.latency.p50;
  rows.push({
    group: c.group,
    case: c.name,
    'MB/s': c.bytes === undefined ? '' : Math.round(c.bytes / 1e6 / (ms / 1000)),
    'µs per op': c.ops === undefined ? '' : Number(((ms * 1000) / c.ops).toFixed(3)),
    iterations: r.latency.samplesCount ?? '',
  });
  results[c.name] = { group: c.group, p50Ms: ms, ...(c.bytes === undefined ? {} : { mbPerSec: c.bytes / 1e6 / (ms / 1000) }), ...(c.ops === undefined ? {} : { usPerOp: (ms * 1000) / c.ops }) };
}
console.log(`hivestream micro-benchmarks: ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, ${TIME_MS} ms per case, load average ${loadavg()[0]?.toFixed(2)}`);
console.log(`back ends chosen by auto: hash ${backends.hash}, LZ4 ${backends.lz4}`);
for (const n of notes) console.log(n);
console.table(rows);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/micro.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, node: process.version, timeMs: TIME_MS, notes, results }, null, 2)}\n`);
