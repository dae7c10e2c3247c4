#!/usr/bin/env node
// process benchmarks (docs/BENCHMARKS.md, "process"): the caller's own work
// in the engine's pool, against baselines in the same session.
//
//   node bench/process.bench.mjs [--size 1GiB] [--runs 5] [--rss 256MiB,4GiB] [--json FILE]
//
// - scaling: a JSON Lines parse-and-extract (examples/process/jsonl-extract.mjs)
//   over the file with 2 engine threads and with 1, and the same work as a
//   single-threaded readline + JSON.parse loop;
// - overhead: a function that returns nothing, on the raw file against pack
//   without LZ4 (1 MiB chunks, to /dev/null), and on a container of it
//   against verify of the same container;
// - memory: peak RSS of the JSON Lines process over generated streams of
//   each --rss size (never on disk).
//
// Every contender is a child process that times its own work (Node's
// start-up excluded) and reports CPU time and peak RSS; each run goes round
// all contenders, starting one further along each time; medians are
// quoted, and ratios of medians. The file is read once first, so every
// contender starts from the page cache.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configureEngine, generate, pack, parseSize, processStream, verify } from '../dist/index.js';

const HERE = fileURLToPath(import.meta.url);
const EXTRACT = new URL('../examples/process/jsonl-extract.mjs', import.meta.url);
const NOTHING = new URL('./process-nothing.mjs', import.meta.url);
const PARAMS = { inputs: ['score'], label: 'label', labels: ['cat', 'dog', 'bird', 'fish', 'horse', 'ship', 'truck', 'plane'] };

/** The contenders: each runs in a child (`--child NAME FILE CONTAINER`) and returns what it computed. */
const CHILD = {
  async 'process-2w'(file) {
    return extractWithProcess(file, 2);
  },
  async 'process-1w'(file) {
    return extractWithProcess(file, 1);
  },
  async readline(file) {
    const labels = new Map(PARAMS.labels.map((l, i) => [l, i]));
    const out = { records: 0, bad: 0, checksum: 0 };
    const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
    rl.on('line', (line) => {
      if (line.length === 0) return;
      let r;
      try {
        r = JSON.parse(line);
      } catch {
        out.bad++;
        return;
      }
      if (typeof r !== 'object' || r === null) return void out.bad++;
      out.records++;
      out.checksum += Math.fround(Number(r.score ?? Number.NaN)) + (labels.get(r.label) ?? -1);
    });
    await new Promise((resolve) => rl.once('close', resolve));
    return out;
  },
  async 'nothing-raw'(file) {
    await configureEngine({ threads: 2 });
    let chunks = 0;
    for await (const _ of processStream(file, { module: NOTHING, chunkSize: '1MiB' })) chunks++;
    return { chunks };
  },
  async 'pack-nolz4'(file) {
    await configureEngine({ threads: 2 });
    const r = await pack(file, '/dev/null', { chunkSize: '1MiB' });
    return { chunks: r.chunks };
  },
  async 'nothing-container'(_file, container) {
    await configureEngine({ threads: 2 });
    let chunks = 0;
    for await (const _ of processStream(container, { module: NOTHING })) chunks++;
    return { chunks };
  },
  async verify(_file, container) {
    await configureEngine({ threads: 2 });
    const r = await verify(container);
    return { chunks: r.chunks };
  },
  async 'rss-stream'(size) {
    await configureEngine({ threads: 2 });
    let sampled = 0;
    const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 20);
    const out = await extract(generate({ profile: 'text', size: parseSize(size), seed: 1 }), 2);
    clearInterval(timer);
    return { ...out, sampledPeak: sampled };
  },
};

async function extractWithProcess(file, threads) {
  await configureEngine({ threads });
  return extract(file, threads);
}

async function extract(source) {
  const out = { records: 0, bad: 0, checksum: 0 };
  for await (const { result } of processStream(source, { module: EXTRACT, boundary: 'newline', params: PARAMS })) {
    out.bad += result.bad;
    for (let i = 0; i < result.rows.length; i += result.width) {
      out.records++;
      out.checksum += result.rows[i] + result.rows[i + 1];
    }
  }
  return out;
}

async function child(name, a, b) {
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  const result = await CHILD[name](a, b);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(u0);
  process.stdout.write(`${JSON.stringify({ name, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRss: process.resourceUsage().maxRSS * 1024, result })}\n`);
}

function run(name, a, b) {
  const r = spawnSync(process.execPath, [HERE, '--child', name, a, b ?? ''], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '1GiB' }, runs: { type: 'string', default: '5' }, rss: { type: 'string', default: '256MiB,4GiB' }, json: { type: 'string' }, only: { type: 'string' } } });
  const size = parseSize(values.size);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'hvs-process-bench-'));
  const report = { date: new Date().toISOString(), size, runs, load: (await import('node:os')).loadavg(), groups: {} };
  try {
    const file = join(dir, 'data.jsonl');
    const container = join(dir, 'data.hvs');
    if (values.only !== 'rss') {
      const gen = createWriteOnce(file);
      for (const block of generate({ profile: 'text', size, seed: 1 })) gen.write(block);
      gen.end();
      await pack(file, container, { chunkSize: '1MiB' });
      // Into the page cache.
      for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 }));
      for await (const _ of createReadStream(container, { highWaterMark: 1 << 20 }));
    }
    const groups = {
      scaling: ['process-2w', 'process-1w', 'readline'],
      overhead: ['nothing-raw', 'pack-nolz4', 'nothing-container', 'verify'],
    };
    for (const [group, names] of Object.entries(groups)) {
      if (values.only !== undefined && values.only !== group) continue;
      const samples = Object.fromEntries(names.map((n) => [n, []]));
      for (let r = 0; r < runs; r++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(r + k) % names.length];
          const s = run(name, file, container);
          samples[name].push(s);
          process.stderr.write(`${group} run ${r + 1}/${runs} ${name}: ${(s.ms / 1000).toFixed(2)} s\n`);
        }
      }
      report.groups[group] = Object.fromEntries(
        names.map((n) => {
          const ms = median(samples[n].map((s) => s.ms));
          return [n, { medianMs: ms, mbPerS: size / 1e6 / (ms / 1000), cpuMs: median(samples[n].map((s) => s.cpuMs)), maxRss: Math.max(...samples[n].map((s) => s.maxRss)), result: samples[n][0].result, ms: samples[n].map((s) => Math.round(s.ms)) }];
        }),
      );
    }
    if (values.only === undefined || values.only === 'rss') {
      report.groups.rss = {};
      for (const s of values.rss.split(',')) {
        const r = run('rss-stream', s);
        report.groups.rss[s] = { maxRss: r.maxRss, sampledPeak: r.result.sampledPeak, ms: Math.round(r.ms), records: r.result.records };
        process.stderr.write(`rss ${s}: peak ${(r.maxRss / 2 ** 20).toFixed(0)} MiB in ${(r.ms / 1000).toFixed(1)} s\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const g = report.groups;
  const ratios = {};
  if (g.scaling !== undefined) {
    const agree = ['process-1w', 'readline'].every((n) => JSON.stringify(g.scaling[n].result) === JSON.stringify(g.scaling['process-2w'].result));
    ratios['2 workers / 1 worker (target >= 1.7)'] = g.scaling['process-1w'].medianMs / g.scaling['process-2w'].medianMs;
    ratios['2 workers / readline + JSON.parse (target >= 1.6)'] = g.scaling.readline.medianMs / g.scaling['process-2w'].medianMs;
    ratios['the three computed the same records'] = agree;
  }
  if (g.overhead !== undefined) {
    ratios['identity (returns nothing) / pack without LZ4, throughput (target >= 0.95)'] = g.overhead['pack-nolz4'].medianMs / g.overhead['nothing-raw'].medianMs;
    ratios['identity on a container / verify, throughput'] = g.overhead.verify.medianMs / g.overhead['nothing-container'].medianMs;
  }
  if (g.rss !== undefined) {
    const peaks = Object.values(g.rss).map((r) => r.maxRss);
    ratios['peak RSS, largest / smallest input (flat: ~1)'] = Math.max(...peaks) / Math.min(...peaks);
  }
  report.ratios = ratios;
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  for (const [group, rows] of Object.entries(g)) {
    console.log(`\n${group}`);
    for (const [name, r] of Object.entries(rows)) {
      if (r.medianMs !== undefined) console.log(`  ${name.padEnd(18)} ${(r.medianMs / 1000).toFixed(2).padStart(7)} s  ${r.mbPerS.toFixed(0).padStart(5)} MB/s  cpu ${(r.cpuMs / 1000).toFixed(2)} s  peak RSS ${(r.maxRss / 2 ** 20).toFixed(0)} MiB  runs ${r.ms.join(' ')}`);
      else console.log(`  ${name.padEnd(18)} peak RSS ${(r.maxRss / 2 ** 20).toFixed(0)} MiB  (${r.records} records, ${(r.ms / 1000).toFixed(1)} s)`);
    }
  }
  console.log('\nratios (medians)');
  for (const [k, v] of Object.entries(ratios)) console.log(`  ${k}: ${typeof v === 'number' ? v.toFixed(2) : v}`);
  console.log(`\nload average at start: ${report.load.map((x) => x.toFixed(2)).join(' ')} (the machine is shared: compare ratios, not MB/s)`);
}

/** A write stream that writes synchronously, block by block (the generator yields 1 MiB blocks). */
function createWriteOnce(path) {
  const parts = [];
  let bytes = 0;
  return {
    write(block) {
      parts.push(Buffer.from(block));
      bytes += block.length;
      if (bytes >= 64 << 20) this.flush();
    },
    flush() {
      writeFileSync(path, Buffer.concat(parts), { flag: 'a' });
      parts.length = 0;
      bytes = 0;
    },
    end() {
      this.flush();
    },
  };
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
