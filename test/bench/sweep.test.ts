// A tiny `hivestream bench sweep`: every point measured in its own process,
// latency percentiles from the engine's task-timing hook, the RSS series, the
// targets, and the JSON and HTML files.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { pack } from '../../dist/index.js';
import type { SweepResult } from '../../dist/bench/sweep.js';
import { runCli, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-sweep-');
afterAll(() => tmp.cleanup());

describe('bench sweep', () => {
  it('measures each point and writes JSON and a self-contained HTML report', async () => {
    const json = tmp.path('sweep.json');
    const html = tmp.path('sweep.html');
    const r = await runCli(['bench', 'sweep', '--size', '4MiB', '--runs', '1', '--workers', '1', '--chunk-size', '64KiB,1MiB', '--codec', 'lz4', '--profile', 'text', '--rss-sizes', '2MiB,4MiB', '--json-out', json, '--html', html]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as SweepResult;
    expect(result).toMatchObject({ kind: 'hivestream-bench-sweep', version: 1 });
    expect(result.points.map((p) => [p.workers, p.chunkSize, p.codec, p.profile])).toEqual([
      [1, 65536, 'lz4', 'text'],
      [1, 1048576, 'lz4', 'text'],
    ]);
    for (const p of result.points) {
      expect(p.bytes).toBe(4 * 2 ** 20);
      expect(p.mbPerSec).toBeGreaterThan(0);
      expect(p.coldMbPerSec).toBeGreaterThan(0);
      expect(p.chunkLatencyMs.p50).toBeGreaterThan(0);
      expect(p.chunkLatencyMs.p99).toBeGreaterThanOrEqual(p.chunkLatencyMs.p50);
      expect(p.taskLatencyMs.p99).toBeGreaterThanOrEqual(p.taskLatencyMs.p50);
      expect(p.peakRssBytes).toBeGreaterThan(2 ** 20 * 20);
      expect(p.cpuPercent).toBeGreaterThan(0);
      expect(p.storedRatio).toBeLessThan(0.7); // text compresses
      expect(p.backendRuns).toEqual([expect.stringMatching(/^[a-z-]+\/[a-z0-9-]+$/)]);
    }
    expect(result.rss.points.map((p) => p.bytes)).toEqual([2 * 2 ** 20, 4 * 2 ** 20]);
    expect(result.targets.map((t) => t.label)).toEqual([expect.stringContaining('64 KiB chunks'), expect.stringContaining('peak RSS flat')]);
    expect(result.targets[0]?.value).toBeGreaterThan(0);
    expect(r.stdout.toString()).toContain('targets:');
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page.match(/<svg class="chart"/g)).toHaveLength(4);
  });

  it('the task-timing hook sees every chunk exactly once', async () => {
    const data = sample('mixed', 40 * 65536 + 5, 4);
    const seen: Array<[number, number]> = [];
    const report = await pack(data, tmp.path('t.hvs'), { chunkSize: 65536, workers: 2, onTaskTiming: (ms, chunks) => seen.push([ms, chunks]) });
    expect(seen.reduce((n, [, c]) => n + c, 0)).toBe(report.chunks);
    expect(seen.every(([ms]) => ms >= 0)).toBe(true);
  });

  it('a throwing task-timing hook fails the run and leaves no output', async () => {
    const run = pack(sample('text', 4 * 65536, 4), tmp.path('x.hvs'), { chunkSize: 65536, onTaskTiming: () => { throw new Error('hook broke'); } });
    await expect(run).rejects.toThrow('hook broke');
  });
});
