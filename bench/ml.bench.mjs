// ML data benchmarks (issue 14), each a ratio against a baseline in the same
// run, runs alternated, medians quoted:
//
//   1. typed records (writeRecords / readRecords) against the float32 path
//      (writeTrainingData / readTrainingRecords): write and read MB/s of the
//      same payload (128 + 10 float32 and a label per record);
//   2. random access: dataset.get(i) through the index against scanning to
//      record i (the only way before), on an LZ4 dataset of N records, and
//      the container bytes read per get;
//   3. the Python reader (python/hivestream): records/s reading the typed
//      dataset in file order, with and without chunk verification.
//
//   npm run bench:ml                        (builds, then runs this file)
//   N=1000000 ROUNDS=3 node bench/ml.bench.mjs --json bench/results/ml.json
import console from 'node:console';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildIndex, closeIdlePools, openDataset, readRecords, readTrainingRecords, writeRecords, writeTrainingData } from '../dist/index.js';

const N = Number(process.env.N ?? 1_000_000);
const M = Number(process.env.M ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const GETS = Number(process.env.GETS ?? 2000);
const SCANS = Number(process.env.SCANS ?? 5);
const SECTIONS = (process.env.SECTIONS ?? 'records,random,python').split(',');
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hvs-bench-ml-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Seeded values: a splitmix32 stream.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 0x100000000;
  };
}

function* floatRecords(n, inputs, targets) {
  const next = rng(1);
  for (let i = 0; i < n; i++) {
    const x = new Float32Array(inputs);
    for (let j = 0; j < inputs; j++) x[j] = next();
    const y = new Float32Array(targets);
    y[i % targets] = 1;
    yield { inputs: x, targets: y, label: `class-${i % targets}` };
  }
}

const FIELDS = [
  { name: 'inputs', dtype: 'float32', shape: [128] },
  { name: 'targets', dtype: 'float32', shape: [10] },
  { name: 'label', dtype: 'string', optional: true },
];

async function time(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const results = {};

// 1. Typed records against the float32 path, same payload.
if (SECTIONS.includes('records')) {
  const payload = M * (128 + 10) * 4;
  const f32 = join(dir, 'f32.hvs');
  const typed = join(dir, 'typed.hvs');
  const runs = { floatWrite: [], typedWrite: [], floatRead: [], typedRead: [], typedShuffled: [] };
  for (let r = 0; r < ROUNDS; r++) {
    runs.floatWrite.push(await time(() => writeTrainingData(floatRecords(M, 128, 10), f32, { compression: 'lz4' })));
    runs.typedWrite.push(await time(() => writeRecords(floatRecords(M, 128, 10), typed, { fields: FIELDS, compression: 'lz4' })));
    runs.floatRead.push(
      await time(async () => {
        let n = 0;
        for await (const _ of readTrainingRecords(f32)) n++;
        if (n !== M) throw new Error('float32 read lost records');
      }),
    );
    runs.typedRead.push(
      await time(async () => {
        let n = 0;
        for await (const _ of readRecords(typed)) n++;
        if (n !== M) throw new Error('typed read lost records');
      }),
    );
    runs.typedShuffled.push(
      await time(async () => {
        let n = 0;
        for await (const _ of readRecords(typed, { shuffle: true, seed: r, epoch: r })) n++;
        if (n !== M) throw new Error('shuffled read lost records');
      }),
    );
  }
  const mbps = (s) => payload / 1e6 / median(s);
  results.records = {
    records: M,
    payloadMB: payload / 1e6,
    writeMBps: { float32: mbps(runs.floatWrite), typed: mbps(runs.typedWrite), ratio: mbps(runs.typedWrite) / mbps(runs.floatWrite) },
    readMBps: { float32: mbps(runs.floatRead), typed: mbps(runs.typedRead), ratio: mbps(runs.typedRead) / mbps(runs.floatRead) },
    shuffledReadMBps: { typed: mbps(runs.typedShuffled), ratioToFileOrder: mbps(runs.typedShuffled) / mbps(runs.typedRead) },
    runsSeconds: runs,
  };
  console.log(`records (${M} x 552 B payload, LZ4, ${ROUNDS} alternating rounds, medians):`);
  console.log(`  write MB/s  float32 ${results.records.writeMBps.float32.toFixed(0)}  typed ${results.records.writeMBps.typed.toFixed(0)}  typed/float32 ${results.records.writeMBps.ratio.toFixed(2)}x`);
  console.log(`  read  MB/s  float32 ${results.records.readMBps.float32.toFixed(0)}  typed ${results.records.readMBps.typed.toFixed(0)}  typed/float32 ${results.records.readMBps.ratio.toFixed(2)}x`);
  console.log(`  typed, full-permutation epoch through the index: ${results.records.shuffledReadMBps.typed.toFixed(0)} MB/s (${results.records.shuffledReadMBps.ratioToFileOrder.toFixed(2)}x file order)`);
}

// 2. get(i) against scanning to i, on an N-record LZ4 dataset (float32, as datasets were written before).
if (SECTIONS.includes('random')) {
  const path = join(dir, 'big.hvs');
  await writeTrainingData(floatRecords(N, 16, 4), path, { compression: 'lz4' });
  const next = rng(7);
  const pick = () => Math.floor(next() * N);
  const scans = [];
  for (let s = 0; s < SCANS; s++) {
    const i = pick();
    const t0 = performance.now();
    for await (const r of readTrainingRecords(path)) if (r.index === i) break;
    scans.push(performance.now() - t0);
  }
  const indexSeconds = await time(() => buildIndex(path));
  const t0 = performance.now();
  const ds = await openDataset(path);
  const openMs = performance.now() - t0;
  const openBytes = ds.stats.bytesRead;
  const gets = [];
  const before = { ...ds.stats };
  for (let g = 0; g < GETS; g++) {
    const i = pick();
    const t = performance.now();
    ds.get(i);
    gets.push(performance.now() - t);
  }
  const perGet = (ds.stats.bytesRead - before.bytesRead) / GETS;
  const chunksPerGet = (ds.stats.chunksRead - before.chunksRead) / GETS;
  ds.close();
  results.randomAccess = {
    records: N,
    scanToIMs: median(scans),
    getMs: median(gets),
    speedup: median(scans) / median(gets),
    bytesReadPerGet: perGet,
    chunksReadPerGet: chunksPerGet,
    openMs,
    openBytesRead: openBytes,
    indexBuildSeconds: indexSeconds,
  };
  console.log(`random access (${N} records, LZ4, ${SCANS} scans, ${GETS} gets, medians):`);
  console.log(`  scan to i ${median(scans).toFixed(1)} ms   get(i) ${median(gets).toFixed(3)} ms   ${results.randomAccess.speedup.toFixed(0)}x`);
  console.log(`  per get: ${perGet.toFixed(0)} container bytes, ${chunksPerGet.toFixed(3)} chunks; open: ${openMs.toFixed(1)} ms, ${openBytes} bytes (index build by hivestream index: ${indexSeconds.toFixed(1)} s)`);
}

// 3. The Python reader: records/s with and without verification (alternating).
if (SECTIONS.includes('python')) {
  const typed = join(dir, 'typed.hvs');
  if (!existsSync(typed)) await writeRecords(floatRecords(M, 128, 10), typed, { fields: FIELDS, compression: 'lz4' });
  const uncompressed = join(dir, 'typed-none.hvs');
  await writeRecords(floatRecords(M, 128, 10), uncompressed, { fields: FIELDS });
  const pyFile = (path, verify) => {
    const r = spawnSync('/usr/bin/python3', ['-c', `
import time, sys
from hivestream import open_dataset
t = time.perf_counter()
with open_dataset(sys.argv[1], verify=${verify ? 'True' : 'False'}) as ds:
    n = sum(1 for _ in ds.records())
print(n / (time.perf_counter() - t))
`, path], { env: { ...process.env, PYTHONPATH: join(ROOT, 'python') }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return Number(r.stdout.trim());
  };
  const v = [];
  const nv = [];
  const lz = [];
  for (let r = 0; r < ROUNDS; r++) {
    v.push(pyFile(uncompressed, true));
    nv.push(pyFile(uncompressed, false));
  }
  lz.push(pyFile(typed, true));
  results.python = { records: M, recordsPerSecond: { verified: median(v), unverified: median(nv), ratio: median(v) / median(nv), lz4PurePythonVerified: median(lz) } };
  console.log(`python reader (${M} records of 552 B payload, uncompressed, file order, ${ROUNDS} alternating rounds, medians):`);
  console.log(`  verified ${median(v).toFixed(0)} records/s   unverified ${median(nv).toFixed(0)} records/s   verified/unverified ${(median(v) / median(nv)).toFixed(2)}x`);
  console.log(`  LZ4 container, pure-Python LZ4 decoder, verified: ${median(lz).toFixed(0)} records/s`);
}

if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify(results, null, 2) + '\n');
rmSync(dir, { recursive: true, force: true });
await closeIdlePools();
