// Inline SVG charts for the HTML report, written by hand so the report is
// one self-contained file: no chart library, no script, nothing fetched.

export interface Series {
  name: string;
  points: Array<{ x: number; y: number }>;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** log2 suits chunk sizes, worker counts and input sizes (each step doubles). */
  xScale: 'log2' | 'linear';
  xFormat?: (x: number) => string;
  yFormat?: (y: number) => string;
}

export interface BarGroup {
  label: string;
  bars: Array<{ name: string; value: number }>;
}

export interface BarChartOptions {
  title: string;
  yLabel: string;
  groups: BarGroup[];
  yFormat?: (y: number) => string;
}

const W = 480;
const H = 310;
const M = { top: 34, right: 16, bottom: 80, left: 64 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function color(i: number): string {
  return PALETTE[i % PALETTE.length] ?? '#000';
}

/** Round tick values from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 || v === Math.round(v) ? v.toFixed(0) : v.toPrecision(3);
}

function frame(title: string, yLabel: string, yTicks: number[], yMax: number, yFormat: (y: number) => string, body: string, kind: string): string {
  const y = (v: number): number => M.top + PLOT_H - (v / yMax) * PLOT_H;
  const grid = yTicks
    .map((t) => `<line class="grid" x1="${M.left}" x2="${M.left + PLOT_W}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/><text class="tick" x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${esc(yFormat(t))}</text>`)
    .join('');
  return (
    `<svg class="chart" data-kind="${kind}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">` +
    `<text class="title" x="${W / 2}" y="20" text-anchor="middle">${esc(title)}</text>${grid}` +
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PLOT_H}"/><line class="axis" x1="${M.left}" x2="${M.left + PLOT_W}" y1="${M.top + PLOT_H}" y2="${M.top + PLOT_H}"/>` +
    `<text class="label" transform="translate(16 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>${body}</svg>`
  );
}

function legend(names: string[]): string {
  const per = Math.max(1, Math.floor(PLOT_W / 110));
  return names
    .map((n, i) => {
      const x = M.left + (i % per) * 110;
      const y = M.top + PLOT_H + 48 + Math.floor(i / per) * 14;
      return `<g class="legend"><rect x="${x}" y="${y - 8}" width="10" height="10" fill="${color(i)}"/><text x="${x + 14}" y="${y + 1}">${esc(n)}</text></g>`;
    })
    .join('');
}

export function lineChart(o: LineChartOptions): string {
  const xs = [...new Set(o.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const tx = (x: number): number => (o.xScale === 'log2' ? Math.log2(Math.max(x, Number.MIN_VALUE)) : x);
  const lo = tx(xs[0] ?? 0);
  const hi = tx(xs[xs.length - 1] ?? 1);
  // Points stay clear of the axes so end labels fit; a single x value sits in the middle.
  const inset = PLOT_W * 0.08;
  const x = (v: number): number => M.left + (hi === lo ? PLOT_W / 2 : inset + ((tx(v) - lo) / (hi - lo)) * (PLOT_W - 2 * inset));
  const yTicks = niceTicks(Math.max(0, ...o.series.flatMap((s) => s.points.map((p) => p.y))));
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const y = (v: number): number => M.top + PLOT_H - (v / yMax) * PLOT_H;
  const xFormat = o.xFormat ?? fmt;
  const yFormat = o.yFormat ?? fmt;
  const xTicks = xs
    .map((v) => `<line class="axis" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${M.top + PLOT_H}" y2="${M.top + PLOT_H + 4}"/><text class="tick" x="${x(v).toFixed(1)}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${esc(xFormat(v))}</text>`)
    .join('');
  const lines = o.series
    .map((s, i) => {
      const pts = [...s.points].sort((a, b) => a.x - b.x);
      const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
      const dots = pts
        .map((p) => `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3.5" fill="${color(i)}"><title>${esc(`${s.name}: ${xFormat(p.x)} -> ${yFormat(p.y)}`)}</title></circle>`)
        .join('');
      return `<g class="series" data-series="${esc(s.name)}"><path class="line" d="${d}" stroke="${color(i)}"/>${dots}</g>`;
    })
    .join('');
  const xLabel = `<text class="label" x="${M.left + PLOT_W / 2}" y="${M.top + PLOT_H + 30}" text-anchor="middle">${esc(o.xLabel)}</text>`;
  return frame(o.title, o.yLabel, yTicks, yMax, yFormat, xTicks + xLabel + lines + legend(o.series.map((s) => s.name)), 'line');
}

export function barChart(o: BarChartOptions): string {
  const names = [...new Set(o.groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const yTicks = niceTicks(Math.max(0, ...o.groups.flatMap((g) => g.bars.map((b) => b.value))));
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const yFormat = o.yFormat ?? fmt;
  const groupW = PLOT_W / Math.max(1, o.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, names.length);
  const body = o.groups
    .map((g, gi) => {
      const gx = M.left + gi * groupW + groupW * 0.1;
      const bars = g.bars
        .map((b) => {
          const i = names.indexOf(b.name);
          // A small positive value still shows as a sliver, with its value above it.
          const h = b.value > 0 ? Math.max(1, (b.value / yMax) * PLOT_H) : 0;
          const bx = gx + i * barW;
          return (
            `<rect class="bar" x="${bx.toFixed(1)}" y="${(M.top + PLOT_H - h).toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${h.toFixed(1)}" fill="${color(i)}"><title>${esc(`${g.label} ${b.name}: ${yFormat(b.value)}`)}</title></rect>` +
            `<text class="tick" x="${(bx + barW * 0.45).toFixed(1)}" y="${(M.top + PLOT_H - h - 3).toFixed(1)}" text-anchor="middle">${esc(yFormat(b.value))}</text>`
          );
        })
        .join('');
      return `<g class="group">${bars}<text class="tick" x="${(gx + groupW * 0.4).toFixed(1)}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${esc(g.label)}</text></g>`;
    })
    .join('');
  return frame(o.title, o.yLabel, yTicks, yMax, yFormat, body + legend(names), 'bar');
}
