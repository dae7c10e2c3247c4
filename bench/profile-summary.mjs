// Where the time goes: self time by function and by file (or native call) in
// V8 CPU profiles, one per thread. Profile a run, then summarise it:
//   node --cpu-prof --cpu-prof-dir=prof dist/cli/main.js pack FILE -o /dev/null --lz4
//   node bench/profile-summary.mjs prof/*.cpuprofile [--top=15]
// Samples are wall-clock ticks of each thread: on a loaded machine a thread
// that is runnable but descheduled is charged to the function it was in.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? '15');
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: node bench/profile-summary.mjs PROFILE.cpuprofile... [--top=N]');
  process.exit(2);
}

/** @param {string} url */
const short = (url) => (url.includes('/node_modules/') ? url.replace(/^.*\/node_modules\//, 'node_modules/') : url.replace(/^.*?\/dist\//, 'dist/'));

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const byFunction = new Map();
  /** @type {Map<string, number>} */
  const byFile = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)?.callFrame;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (frame === undefined) return;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const where = frame.url === '' ? '' : ` ${short(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(`${name}${where}`, (byFunction.get(`${name}${where}`) ?? 0) + dt);
    const key = frame.url === '' ? name : short(frame.url).startsWith('node:') ? 'node internals (node:*)' : short(frame.url);
    byFile.set(key, (byFile.get(key) ?? 0) + dt);
  });
  const line = ([k, v]) => `  ${(v / 1000).toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`;
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  console.log([...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top).map(line).join('\n'));
  console.log('  by file:');
  console.log([...byFile].sort((a, b) => b[1] - a[1]).slice(0, Math.min(top, 10)).map(line).join('\n'));
  console.log('');
}
