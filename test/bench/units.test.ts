// The benchmark's arithmetic and PATH lookup.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { median, percentile, sizeLabel, weightedPercentile, mbPerSec } from '../../dist/bench/stats.js';
import { niceTicks } from '../../dist/bench/svg.js';
import { findOnPath } from '../../dist/bench/peers.js';
import { backends } from '../../dist/bench/sweep-text.js';
import { tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-units-');
afterAll(() => tmp.cleanup());

describe('benchmark statistics', () => {
  it('medians, percentiles and throughput', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    // Weighted by chunks: a 64-chunk task outweighs a 1-chunk one.
    expect(weightedPercentile([{ value: 10, weight: 1 }, { value: 2, weight: 64 }], 50)).toBe(2);
    expect(weightedPercentile([{ value: 10, weight: 1 }, { value: 2, weight: 64 }], 99)).toBe(10);
    expect(mbPerSec(2e6, 1000)).toBe(2);
  });

  it('labels and chart ticks', () => {
    expect(backends(['native/native', 'native/native'])).toBe('native/native');
    expect(backends(['native/native', 'native/lz4-napi', 'native/native'])).toBe('native/native x2, native/lz4-napi x1');
    expect([65536, 1 << 20, 4 * 2 ** 30, 1536 * 1024, 100].map(sizeLabel)).toEqual(['64KiB', '1MiB', '4GiB', '1.5MiB', '100B']);
    expect(niceTicks(1873)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(0)).toEqual([0, 1]);
    const t = niceTicks(0.37);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(0.37);
  });

  it('finds programs on the PATH it is given, executables only', () => {
    const a = tmp.path('a');
    const b = tmp.path('b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(`${a}/tool`, '#!/bin/sh\n');
    writeFileSync(`${b}/tool`, '#!/bin/sh\n');
    chmodSync(`${b}/tool`, 0o755);
    expect(findOnPath('tool', `${a}:${b}`)).toBe(`${b}/tool`);
    expect(findOnPath('tool', a)).toBeUndefined();
    expect(findOnPath('tool', '')).toBeUndefined();
  });
});
