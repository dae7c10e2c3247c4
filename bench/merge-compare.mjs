// Medians over several `hivestream bench compare --json` results (the noisy
// machine's answer: run the whole comparison a few times, quote medians),
// printed as Markdown tables for docs/BENCHMARKS.md.
//   node bench/merge-compare.mjs bench/results/compare-1.json bench/results/compare-2.json ...
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/merge-compare.mjs RESULT.json...');
  process.exit(2);
}
const results = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));

/** @param {number[]} v */
function median(v) {
  const s = v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** @param {number} v @param {number} d */
const fixed = (v, d) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

const first = results[0];
const size = first.config.size;
console.log(`${results.length} comparisons of ${size / 2 ** 30} GiB '${first.config.profile}' data, ${first.config.runs} runs each; ${first.machine.cpu}, ${first.machine.cores} cores, node ${first.machine.node}`);
console.log(`dates: ${results.map((r) => r.date).join(', ')}`);
console.log(`load average (start/end): ${results.map((r) => `${r.machine.loadAverage.start}/${r.machine.loadAverage.end}`).join(', ')}`);
console.log(`page cache before/after: ${results.map((r) => `${r.files.pageCache.before}/${r.files.pageCache.after}`).join(', ')}`);
console.log('');
console.log('| contender | median s | MB/s | best run MB/s | in-process MB/s | CPU s | per comparison (median s) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const c of first.contenders) {
  const all = results.map((r) => r.contenders.find((x) => x.id === c.id));
  if (all.some((x) => x?.status !== 'ok')) {
    console.log(`| ${c.label} | ${all.map((x) => x?.status ?? 'missing').join(', ')} | | | | | ${all.map((x) => x?.reason ?? '').join('; ')} |`);
    continue;
  }
  const ms = median(all.map((x) => x.medianMs));
  const best = Math.min(...all.map((x) => x.minMs));
  const ip = median(all.map((x) => x.inProcessMs ?? Number.NaN));
  const cpu = median(all.map((x) => x.cpuMs ?? Number.NaN));
  console.log(`| ${c.label} | ${fixed(ms / 1000, 2)} | ${fixed(size / 1e6 / (ms / 1000), 0)} | ${fixed(size / 1e6 / (best / 1000), 0)} | ${fixed(size / 1e6 / (ip / 1000), 0)} | ${fixed(cpu / 1000, 2)} | ${all.map((x) => fixed(x.medianMs / 1000, 2)).join(', ')} |`);
}
console.log('');
console.log('| ratio (peer time / hivestream time) | median | per comparison | target | verdict |');
console.log('| --- | ---: | --- | ---: | --- |');
for (const q of first.ratios) {
  const all = results.map((r) => r.ratios.find((x) => x.label === q.label));
  const values = all.map((x) => x?.ratio ?? Number.NaN);
  const m = median(values);
  const verdict = q.target === undefined ? '' : !Number.isFinite(m) ? 'n/a' : m >= q.target ? 'met' : `missed by ${fixed((1 - m / q.target) * 100, 0)}%`;
  console.log(`| ${q.label} | ${fixed(m, 2)}x | ${values.map((v) => fixed(v, 2)).join(', ')} | ${q.target === undefined ? '' : `${q.target}x`} | ${verdict} |`);
}
