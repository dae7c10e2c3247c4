// Markdown tables for docs/BENCHMARKS.md from a `hivestream bench sweep --json` result.
//   node bench/sweep-tables.mjs bench/figures/sweep.json
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node bench/sweep-tables.mjs SWEEP.json');
  process.exit(2);
}
const s = JSON.parse(readFileSync(file, 'utf8'));
const MiB = 2 ** 20;
const size = (b) => (b >= MiB ? `${b / MiB} MiB` : `${b / 1024} KiB`);
const uniq = (k) => [...new Set(s.points.map((p) => p[k]))];
const [profiles, codecs, chunks, workers] = [uniq('profile'), uniq('codec'), uniq('chunkSize'), uniq('workers')];
const find = (q) => s.points.find((p) => Object.entries(q).every(([k, v]) => p[k] === v));

console.log(`${s.date}, load average ${s.machine.loadAverage.start} at start, ${s.machine.loadAverage.end} at end; ${size(s.config?.size ?? s.points[0].bytes)} per input.\n`);
for (const codec of codecs) {
  console.log(`Throughput, MB/s, ${codec === 'none' ? 'no compression' : 'LZ4'}, steady state (cold first pass in brackets) (columns: chunk size / workers):\n`);
  const cols = chunks.flatMap((c) => workers.map((w) => [c, w]));
  console.log(`| profile | ${cols.map(([c, w]) => `${size(c)} / ${w}`).join(' | ')} |`);
  console.log(`| --- | ${cols.map(() => '---:').join(' | ')} |`);
  for (const profile of profiles) {
    const cells = cols.map(([chunkSize, w]) => {
      const p = find({ profile, codec, chunkSize, workers: w });
      return p === undefined ? 'n/a' : `${Math.round(p.mbPerSec)} (${Math.round(p.coldMbPerSec)})`;
    });
    console.log(`| ${profile} | ${cells.join(' | ')} |`);
  }
  console.log('');
}
const two = workers.includes(2) ? 2 : workers[0];
console.log(`Latency at ${two} workers, ms: per chunk p50 / p99, and the task (hand-off to done) p50 / p99; peak RSS; CPU (100% = one core):\n`);
console.log('| profile | codec | chunk | MB/s | chunk p50 / p99 | task p50 / p99 | peak RSS MiB | CPU % |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const codec of codecs) {
  for (const profile of profiles) {
    for (const chunkSize of chunks) {
      const p = find({ profile, codec, chunkSize, workers: two });
      if (p === undefined) continue;
      const f = (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));
      console.log(`| ${profile} | ${codec} | ${size(chunkSize)} | ${Math.round(p.mbPerSec)} | ${f(p.chunkLatencyMs.p50)} / ${f(p.chunkLatencyMs.p99)} | ${f(p.taskLatencyMs.p50)} / ${f(p.taskLatencyMs.p99)} | ${Math.round(p.peakRssBytes / MiB)} | ${Math.round(p.cpuPercent)} |`);
    }
  }
}
console.log(`\nPeak RSS against input size (${s.rss.profile}, ${s.rss.codec}, ${size(s.rss.chunkSize)} chunks, ${s.rss.workers} workers):\n`);
console.log('| input | peak RSS (runs) | MB/s |');
console.log('| --- | --- | ---: |');
for (const p of s.rss.points) {
  console.log(`| ${p.bytes >= 2 ** 30 ? `${p.bytes / 2 ** 30} GiB` : size(p.bytes)} | ${Math.round(p.peakRssBytes / MiB)} MiB (${p.peakRssRuns.map((r) => Math.round(r / MiB)).join(', ')}) | ${Math.round(p.mbPerSec)} |`);
}
console.log('\nTargets:\n');
for (const t of s.targets) console.log(`- ${t.label}: ${t.value} (${t.target}) ${t.met ? 'met' : 'MISSED'}; ${t.detail}`);
