#!/usr/bin/env node
// Packs a large input streamed from the data generator (never on disk, never
// whole in memory) and reports peak RSS. Usage:
//   node scripts/memory-check.mjs [size=2GiB] [profile=mixed] [--lz4] [--json]
// Exit code 1 when peak RSS exceeds --limit (default 300MiB).
import { Writable } from 'node:stream';
import { pack, generate, parseSize, formatSize } from '../dist/index.js';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--') && !a.includes('=')));
const opt = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const positional = args.filter((a) => !a.startsWith('--'));
const size = parseSize(positional[0] ?? '2GiB');
const profile = positional[1] ?? 'mixed';
const limit = parseSize(opt('limit', '300MiB'));

// A sink that discards: the measurement is about the engine, not the disk.
let written = 0;
const sink = new Writable({
  write(chunk, _enc, cb) {
    written += chunk.length;
    cb();
  },
});

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20);
const report = await pack(generate({ profile, size, seed: 1 }), sink, { compression: flags.has('--lz4') ? 'lz4' : 'none' });
clearInterval(sampler);
// maxRSS is the kernel's own peak (KiB), covering what the sampler might miss.
peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
const result = { size, profile, compression: report.compression, chunks: report.chunks, written, peakRss: peak, limit, ok: peak <= limit, durationMs: Math.round(report.durationMs) };
if (flags.has('--json')) console.log(JSON.stringify(result));
else console.log(`packed ${formatSize(size)} of ${profile} from a generator: ${report.chunks} chunks, peak RSS ${formatSize(peak)} (limit ${formatSize(limit)}) in ${(report.durationMs / 1000).toFixed(1)} s`);
process.exitCode = result.ok ? 0 : 1;
