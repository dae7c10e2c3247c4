// The human-readable form of a `bench sweep` result.
import { formatSize, MiB } from '../options.js';
import type { SweepResult } from './sweep.js';
import type { Target } from './targets.js';
import { sizeLabel } from './stats.js';

function row(cells: string[], widths: number[]): string {
  return ('  ' + cells.map((c, i) => (i < 4 || i === 13 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')).trimEnd();
}

/** "native/native", or each combination with its run count when runs differed. */
export function backends(runs: string[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts.size <= 1 ? (runs[0] ?? '') : [...counts].map(([k, n]) => `${k} x${n}`).join(', ');
}

export function targetLine(t: Target): string {
  const verdict = t.met === true ? 'met' : t.met === false ? 'MISSED' : 'n/a';
  return `  ${t.label}: ${t.value === null ? 'n/a' : t.value.toFixed(2)} (target ${t.target}) ${verdict}; ${t.detail}`;
}

export function sweepText(r: SweepResult): string {
  const c = r.config;
  const lines = [
    `hivestream bench sweep: ${formatSize(c.size)} per input, ${c.runs} run${c.runs === 1 ? '' : 's'} per point (medians; latency percentiles over all runs' chunks)`,
    'MB/s: second pass over the file in the process (steady state); cold: the first pass (fresh ring pages, cold code)',
    `${r.machine.cpu}, ${r.machine.cores} cores, node ${r.machine.node}; load average ${r.machine.loadAverage.start} at start, ${r.machine.loadAverage.end ?? '?'} at end`,
    '',
  ];
  const head = ['profile', 'codec', 'chunk', 'workers', 'MB/s', 'cold MB/s', 'chunk p50 ms', 'chunk p99 ms', 'task p50 ms', 'task p99 ms', 'peak RSS', 'CPU %', 'stored', 'back ends'];
  const body = r.points.map((p) => [
    p.profile,
    p.codec,
    sizeLabel(p.chunkSize),
    String(p.workers),
    p.mbPerSec.toFixed(0),
    p.coldMbPerSec.toFixed(0),
    p.chunkLatencyMs.p50.toFixed(3),
    p.chunkLatencyMs.p99.toFixed(3),
    p.taskLatencyMs.p50.toFixed(1),
    p.taskLatencyMs.p99.toFixed(1),
    `${(p.peakRssBytes / MiB).toFixed(0)} MiB`,
    p.cpuPercent.toFixed(0),
    p.storedRatio.toFixed(3),
    backends(p.backendRuns),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  lines.push(row(head, widths), ...body.map((b) => row(b, widths)), '');
  const s = r.rss;
  lines.push(`peak RSS against input size (${s.profile}, ${s.codec}, ${sizeLabel(s.chunkSize)} chunks, ${s.workers} workers):`);
  for (const p of s.points) {
    const runs = p.peakRssRuns.map((b) => (b / MiB).toFixed(0)).join(', ');
    lines.push(`  ${sizeLabel(p.bytes).padStart(8)}  ${(p.peakRssBytes / MiB).toFixed(0).padStart(5)} MiB (runs: ${runs})  ${p.mbPerSec.toFixed(0).padStart(6)} MB/s  ${backends(p.backendRuns)}`);
  }
  lines.push('', 'targets:', ...r.targets.map(targetLine));
  return lines.join('\n') + '\n';
}
