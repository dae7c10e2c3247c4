// The sweep's HTML report renders its charts in a real browser (Debian's
// chromium, headless, through playwright-core), with nothing fetched and no
// console errors. CI installs chromium and sets HIVESTREAM_REQUIRE_CHROMIUM=1;
// locally the test skips, saying why, when chromium is missing.
import { existsSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepHtml } from '../../dist/bench/sweep-html.js';
import { sweepTargets } from '../../dist/bench/targets.js';
import type { SweepPoint, SweepResult } from '../../dist/bench/sweep.js';
import { tempDir } from '../helpers/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const hasChromium = existsSync(CHROMIUM);
const required = process.env.HIVESTREAM_REQUIRE_CHROMIUM === '1';
const tmp = tempDir('hvs-report-');
afterAll(() => tmp.cleanup());

const KiB = 1024;
const MiB = 1024 * KiB;

interface Chart {
  kind: string | null;
  chart: string | null;
  width: number;
  height: number;
  marks: number;
  visibleMarks: number;
  lines: number[];
}

/** Runs in the page (as text: the project's types have no DOM). */
const MEASURE = `[...document.querySelectorAll('svg.chart')].map((svg) => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('path.line, circle, rect.bar')].map((e) => e.getBoundingClientRect());
  return {
    kind: svg.getAttribute('data-kind'),
    chart: svg.closest('figure')?.getAttribute('data-chart') ?? null,
    width: box.width,
    height: box.height,
    marks: marks.length,
    visibleMarks: marks.filter((b) => b.width > 0 && b.height > 0).length,
    lines: [...svg.querySelectorAll('path.line')].map((e) => e.getBoundingClientRect().width),
  };
})`;

/** A small, made-up result set: 2 workers x 2 chunk sizes x 2 codecs x 2 profiles. */
function synthetic(): SweepResult {
  const points: SweepPoint[] = [];
  for (const profile of ['text', 'mixed'] as const) {
    for (const codec of ['none', 'lz4'] as const) {
      for (const chunkSize of [64 * KiB, MiB]) {
        for (const workers of [1, 2]) {
          const mbPerSec = (codec === 'none' ? 1500 : 700) * workers * (chunkSize === MiB ? 1 : 0.9);
          points.push({
            workers, chunkSize, codec, profile, bytes: 256 * MiB, mbPerSec, mbPerSecRuns: [mbPerSec], coldMbPerSec: mbPerSec / 2,
            chunkLatencyMs: { p50: chunkSize / 1e6, p99: (3 * chunkSize) / 1e6 }, taskLatencyMs: { p50: 4, p99: 9 },
            peakRssBytes: 120 * MiB, peakRssRuns: [120 * MiB], cpuPercent: 95 * workers, storedRatio: codec === 'lz4' ? 0.4 : 1, backendRuns: ['native/native'],
          });
        }
      }
    }
  }
  const result: SweepResult = {
    kind: 'hivestream-bench-sweep', version: 1, date: '2026-11-30T00:00:00.000Z',
    machine: { cpu: 'test CPU', cores: 2, node: 'v20', os: 'linux', totalMemoryBytes: 2 ** 34, freeMemoryBytes: 2 ** 33, loadAverage: { start: 1, end: 1 }, tools: {} },
    config: { size: 256 * MiB, runs: 1, seed: 1, workers: [1, 2], chunkSizes: [64 * KiB, MiB], codecs: ['none', 'lz4'], profiles: ['text', 'mixed'], rssSizes: [256 * MiB, 1024 * MiB], quick: false },
    points,
    rss: { workers: 2, chunkSize: MiB, codec: 'lz4', profile: 'mixed', points: [{ bytes: 256 * MiB, peakRssBytes: 130 * MiB, peakRssRuns: [130 * MiB], backendRuns: ['native/native'], mbPerSec: 900 }, { bytes: 1024 * MiB, peakRssBytes: 135 * MiB, peakRssRuns: [135 * MiB], backendRuns: ['native/native'], mbPerSec: 950 }] },
    targets: [],
  };
  result.targets = sweepTargets(result);
  return result;
}

describe('sweep HTML report', () => {
  it('is self-contained and names the targets', () => {
    const html = sweepHtml(synthetic());
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    expect(html).toContain('64 KiB chunks at least 80%');
    expect(html).toContain('peak RSS flat');
  });

  it('renders every chart in headless chromium without console errors', async (ctx) => {
    if (!hasChromium) {
      if (required) throw new Error(`HIVESTREAM_REQUIRE_CHROMIUM=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
      ctx.skip(`${CHROMIUM} not installed: apt-get install chromium to run this test`);
    }
    const file = tmp.path('sweep.html');
    writeFileSync(file, sweepHtml(synthetic()));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) problems.push(`fetched ${r.url()}`);
      });
      await page.goto(`file://${file}`);
      const charts = await page.evaluate<Chart[]>(MEASURE);
      // 4 codec x profile pairs: vs workers, vs chunk size, latency; plus the RSS chart.
      const four = (id: string): string[] => [id, id, id, id];
      expect(charts.map((c) => c.chart).sort()).toEqual([...four('latency'), 'rss', ...four('throughput-chunk'), ...four('throughput-workers')]);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(100);
        expect(c.height).toBeGreaterThan(100);
        expect(c.visibleMarks).toBeGreaterThan(0);
        expect(c.visibleMarks).toBe(c.marks);
        for (const w of c.lines) expect(w).toBeGreaterThan(0);
      }
      expect(charts.filter((c) => c.kind === 'bar').every((c) => c.marks === 4)).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
