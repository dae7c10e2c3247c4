// Shard balance of `hivestream convert --shard k/4` on a tree of a few large
// files and many small ones (default: 10 files of 100 MB and 1000 of 100 KB),
// --balance size against --balance path. --data=sparse (default) makes the
// files sparse (no disk, zeros that pack at once: the times are then mostly
// per-file costs); --data=mixed writes seeded mixed data (the generator's
// 'mixed' profile), so the times include real hashing and LZ4.
// Each shard runs on its own, one after the other, as the shards of a job
// array would on separate machines; the job ends with its slowest shard.
// Reports the bytes per shard (from each shard's --json report), the spread,
// and each shard's time; the rounds alternate the two balances and the
// medians are quoted.
//
//   npm run build && node bench/shard-balance.mjs [--large=10x100MB] [--small=1000x100KB] [--shards=4] [--rounds=3] [--data=sparse|mixed]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSample } from '../dist/index.js';

const CLI = fileURLToPath(new URL('../dist/bin/hivestream.cjs', import.meta.url));
/** @param {string} name @param {string} fallback */
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const UNITS = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };
/** "10x100MB" -> [10, 100e6] @param {string} text */
function spec(text) {
  const m = /^(\d+)x(\d+)(B|KB|MB|GB)$/.exec(text);
  if (m === null) throw new Error(`${text}: expected COUNTxSIZE, e.g. 10x100MB`);
  return [Number(m[1]), Number(m[2]) * UNITS[/** @type {keyof typeof UNITS} */ (m[3])]];
}
const [largeCount, largeSize] = spec(option('large', '10x100MB'));
const [smallCount, smallSize] = spec(option('small', '1000x100KB'));
const SHARDS = Number(option('shards', '4'));
const ROUNDS = Number(option('rounds', '3'));
const DATA = option('data', 'sparse');

const dir = mkdtempSync(join(tmpdir(), 'hivestream-shard-bench-'));
const tree = join(dir, 'in');
// Outputs in memory when there is a tmpfs: disk writeback from earlier shards would slow later ones.
const outRoot = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/hivestream-shard-bench-') : dir;
/** Files of the given sizes: sparse (the sizes are what balance reads) or seeded mixed data. */
async function make(prefix, count, size) {
  mkdirSync(join(tree, prefix), { recursive: true });
  for (let i = 0; i < count; i++) {
    const path = join(tree, prefix, `${String(i).padStart(5, '0')}.bin`);
    if (DATA === 'mixed') {
      await writeSample(path, { profile: 'mixed', size, seed: i + 1 });
    } else {
      writeFileSync(path, '');
      truncateSync(path, size);
    }
  }
}
await make('large', largeCount, largeSize);
await make('small', smallCount, smallSize);

/** One job: every shard in turn. @param {'size' | 'path'} balance */
function job(balance, round) {
  const out = join(outRoot, `out-${balance}-${round}`);
  const shards = [];
  for (let k = 0; k < SHARDS; k++) {
    // Under bash, whose `times` then gives the shard's CPU time: steadier than the wall clock on a shared machine.
    const r = spawnSync('bash', ['-c', '"$@"; status=$?; times >&2; exit $status', 'bash', process.execPath, CLI, 'convert', tree, '--to', 'hvs', '--lz4', '-o', out, '--shard', `${k}/${SHARDS}`, '--balance', balance, '--json', '-q'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`shard ${k}: ${r.stderr}`);
    const report = JSON.parse(r.stdout);
    const cpu = [...(r.stderr.trim().split('\n').at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
    shards.push({ bytes: report.bytesIn, planned: report.balance.shardBytes[k], files: report.files.total, seconds: report.durationMs / 1000, cpu });
  }
  rmSync(out, { recursive: true, force: true });
  return shards;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { size: [], path: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const balance of round % 2 === 0 ? ['size', 'path'] : ['path', 'size']) results[balance].push(job(balance, round));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outRoot, { recursive: true, force: true });
}

console.log(`tree: ${largeCount} x ${largeSize / 1e6} MB + ${smallCount} x ${smallSize / 1e3} KB = ${((largeCount * largeSize + smallCount * smallSize) / 1e6).toFixed(0)} MB (${DATA}), ${SHARDS} shards, ${ROUNDS} rounds`);
for (const balance of /** @type {const} */ (['size', 'path'])) {
  const first = results[balance][0];
  const bytes = first.map((s) => s.bytes);
  const mean = bytes.reduce((a, b) => a + b, 0) / bytes.length;
  const [max, min] = [Math.max(...bytes), Math.min(...bytes)];
  const makespans = results[balance].map((shards) => Math.max(...shards.map((s) => s.seconds)));
  const times = first.map((_, k) => median(results[balance].map((shards) => shards[k].seconds)));
  const cpus = first.map((_, k) => median(results[balance].map((shards) => shards[k].cpu)));
  console.log(`--balance ${balance}`);
  console.log(`  MB per shard:     ${bytes.map((b) => (b / 1e6).toFixed(1)).join(', ')} (files ${first.map((s) => s.files).join(', ')})`);
  console.log(`  spread:           max/min ${(max / min).toFixed(3)}, (max-min)/max ${((100 * (max - min)) / max).toFixed(1)}%, furthest from the mean ${((100 * Math.max(max - mean, mean - min)) / mean).toFixed(1)}%`);
  console.log(`  s per shard:      ${times.map((t) => t.toFixed(2)).join(', ')} (medians; rounds: ${results[balance].map((shards) => shards.map((x) => x.seconds.toFixed(2)).join('/')).join(' ')})`);
  console.log(`  job (slowest):    ${median(makespans).toFixed(2)} s median of ${makespans.map((t) => t.toFixed(2)).join(', ')}`);
  console.log(`  CPU s per shard:  ${cpus.map((t) => t.toFixed(2)).join(', ')} (medians; largest ${Math.max(...cpus).toFixed(2)})`);
}
/** The slowest shard of each round, path over size, by `pick`. @param {(s: { seconds: number, cpu: number }) => number} pick */
const ratio = (pick) => median(results.path.map((p, i) => Math.max(...p.map(pick)) / Math.max(...(results.size[i] ?? p).map(pick))));
console.log(`slowest shard, path / size: ${ratio((s) => s.seconds).toFixed(2)}x wall, ${ratio((s) => s.cpu).toFixed(2)}x CPU (medians of the rounds' ratios)`);
