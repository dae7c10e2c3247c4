// A self-contained HTML report of a sweep: inline CSS and SVG charts only
// (nothing to fetch, no script), so it opens anywhere, offline, as one file.
import { formatSize, MiB } from '../options.js';
import { sizeLabel } from './stats.js';
import { barChart, esc, lineChart, type Series } from './svg.js';
import type { SweepPoint, SweepResult } from './sweep.js';
import { backends } from './sweep-text.js';

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1600px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #eee;padding:4px}
svg.chart .title{font-size:13px;font-weight:600}svg.chart .tick,svg.chart .legend text{font-size:10px;fill:#444}
svg.chart .label{font-size:11px;fill:#222}svg.chart .grid{stroke:#eee}svg.chart .axis{stroke:#888}
svg.chart .line{fill:none;stroke-width:2}table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f6f6f6}td.l,th.l{text-align:left}
.met{color:#1a7f37;font-weight:600}.missed{color:#c62828;font-weight:600}`;

function chunkLabel(bytes: number): string {
  return sizeLabel(bytes);
}

function combos(r: SweepResult): Array<{ codec: string; profile: string; points: SweepPoint[] }> {
  const out: Array<{ codec: string; profile: string; points: SweepPoint[] }> = [];
  for (const codec of r.config.codecs) {
    for (const profile of r.config.profiles) {
      const points = r.points.filter((p) => p.codec === codec && p.profile === profile);
      if (points.length > 0) out.push({ codec, profile, points });
    }
  }
  return out;
}

function seriesBy(points: SweepPoint[], key: 'workers' | 'chunkSize', name: (v: number) => string, x: (p: SweepPoint) => number, y: (p: SweepPoint) => number): Series[] {
  const values = [...new Set(points.map((p) => p[key]))].sort((a, b) => a - b);
  return values.map((v) => ({ name: name(v), points: points.filter((p) => p[key] === v).map((p) => ({ x: x(p), y: y(p) })) }));
}

function figure(id: string, svg: string): string {
  return `<figure data-chart="${id}">${svg}</figure>`;
}

function charts(r: SweepResult): string {
  const groups = combos(r);
  const mbs = (v: number): string => `${v.toFixed(0)}`;
  const vsWorkers = groups.map((g) =>
    figure('throughput-workers', lineChart({
      title: `${g.profile}, ${g.codec === 'lz4' ? 'LZ4' : 'no compression'}: throughput vs workers`,
      xLabel: 'workers', yLabel: 'MB/s', xScale: 'log2', yFormat: mbs,
      series: seriesBy(g.points, 'chunkSize', (c) => `${chunkLabel(c)} chunks`, (p) => p.workers, (p) => p.mbPerSec),
    })),
  );
  const vsChunk = groups.map((g) =>
    figure('throughput-chunk', lineChart({
      title: `${g.profile}, ${g.codec === 'lz4' ? 'LZ4' : 'no compression'}: throughput vs chunk size`,
      xLabel: 'chunk size', yLabel: 'MB/s', xScale: 'log2', xFormat: chunkLabel, yFormat: mbs,
      series: seriesBy(g.points, 'workers', (w) => `${w} worker${w === 1 ? '' : 's'}`, (p) => p.chunkSize, (p) => p.mbPerSec),
    })),
  );
  const workers = r.config.workers.includes(r.machine.cores) ? r.machine.cores : Math.max(...r.config.workers);
  const latency = groups.map((g) =>
    figure('latency', barChart({
      title: `${g.profile}, ${g.codec === 'lz4' ? 'LZ4' : 'no compression'}: per-chunk latency, ${workers} workers`,
      yLabel: 'ms per chunk',
      groups: g.points
        .filter((p) => p.workers === workers)
        .sort((a, b) => a.chunkSize - b.chunkSize)
        .map((p) => ({ label: chunkLabel(p.chunkSize), bars: [{ name: 'p50', value: p.chunkLatencyMs.p50 }, { name: 'p99', value: p.chunkLatencyMs.p99 }] })),
    })),
  );
  const s = r.rss;
  const rss = figure('rss', lineChart({
    title: `peak RSS vs input size (${s.profile}, ${s.codec}, ${chunkLabel(s.chunkSize)}, ${s.workers} workers)`,
    xLabel: 'input size', yLabel: 'peak RSS, MiB', xScale: 'log2', xFormat: chunkLabel,
    series: [{ name: 'peak RSS', points: s.points.map((p) => ({ x: p.bytes, y: p.peakRssBytes / MiB })) }],
  }));
  return (
    `<h2>Throughput against workers</h2><div class="charts">${vsWorkers.join('')}</div>` +
    `<h2>Throughput against chunk size</h2><div class="charts">${vsChunk.join('')}</div>` +
    `<h2>Per-chunk latency percentiles</h2><p>A task's latency, from hand-off to the worker pool until it is done (queueing included), divided by its chunks; p50 and p99 over the chunks of all runs.</p><div class="charts">${latency.join('')}</div>` +
    `<h2>Peak RSS against input size</h2><div class="charts">${rss}</div>`
  );
}

function table(r: SweepResult): string {
  const head = ['profile', 'codec', 'chunk', 'workers', 'MB/s', 'cold MB/s', 'chunk p50 ms', 'chunk p99 ms', 'task p50 ms', 'task p99 ms', 'peak RSS MiB', 'CPU %', 'stored/raw', 'back ends (hash/LZ4)'];
  const rows = r.points.map((p) =>
    [p.profile, p.codec, chunkLabel(p.chunkSize), String(p.workers), p.mbPerSec.toFixed(0), p.coldMbPerSec.toFixed(0), p.chunkLatencyMs.p50.toFixed(3), p.chunkLatencyMs.p99.toFixed(3), p.taskLatencyMs.p50.toFixed(1), p.taskLatencyMs.p99.toFixed(1), (p.peakRssBytes / MiB).toFixed(0), p.cpuPercent.toFixed(0), p.storedRatio.toFixed(3), backends(p.backendRuns)]
      .map((c, i) => `<td${i < 2 || i === 13 ? ' class="l"' : ''}>${esc(c)}</td>`)
      .join(''),
  );
  return `<h2>All points</h2><table><tr>${head.map((h, i) => `<th${i < 2 || i === 13 ? ' class="l"' : ''}>${esc(h)}</th>`).join('')}</tr>${rows.map((x) => `<tr>${x}</tr>`).join('')}</table>`;
}

export function sweepHtml(r: SweepResult): string {
  const m = r.machine;
  const targets = r.targets
    .map((t) => `<li><span class="${t.met === true ? 'met' : t.met === false ? 'missed' : ''}">${t.met === true ? 'met' : t.met === false ? 'missed' : 'n/a'}</span> ${esc(t.label)}: ${t.value === null ? 'n/a' : t.value.toFixed(2)} (target ${esc(t.target)}); ${esc(t.detail)}</li>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>hivestream capacity sweep ${esc(r.date.slice(0, 10))}</title><style>${CSS}</style></head>
<body><h1>hivestream capacity sweep</h1>
<p>${esc(r.date)} &middot; ${esc(m.cpu)}, ${m.cores} cores, ${(m.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB &middot; node ${esc(m.node)} &middot; load average ${m.loadAverage.start} at start, ${m.loadAverage.end ?? '?'} at end</p>
<p>${esc(formatSize(r.config.size))} per input, ${r.config.runs} run(s) per point, each run a fresh process that packs one chunk (starting the pool), then a page-cached file to /dev/null twice; throughput is the second pass (steady state, median of the runs), "cold" the first.${r.config.quick ? ' Quick mode: a smoke test, not figures to plan with.' : ''}</p>
<h2>Targets</h2><ul>${targets}</ul>
${charts(r)}
${table(r)}
</body></html>
`;
}
