// Small statistics for benchmark samples: medians of runs, percentiles of
// latencies, throughput. Pure functions, no dependencies.

/** Median of the values (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}

/**
 * Nearest-rank percentile (p in 0..100) of weighted samples: the smallest
 * value whose cumulative weight reaches p% of the total. A task's latency
 * weighted by its chunk count gives percentiles over chunks.
 */
export function weightedPercentile(samples: ReadonlyArray<{ value: number; weight: number }>, p: number): number {
  const s = samples.filter((x) => x.weight > 0 && Number.isFinite(x.value)).sort((a, b) => a.value - b.value);
  const total = s.reduce((sum, x) => sum + x.weight, 0);
  if (total === 0) return Number.NaN;
  const rank = Math.max(Number.MIN_VALUE, (p / 100) * total);
  let acc = 0;
  for (const x of s) {
    acc += x.weight;
    if (acc >= rank) return x.value;
  }
  return s[s.length - 1]?.value ?? Number.NaN;
}

export function percentile(values: readonly number[], p: number): number {
  return weightedPercentile(values.map((value) => ({ value, weight: 1 })), p);
}

/** Throughput in MB/s (10^6 bytes per second). */
export function mbPerSec(bytes: number, ms: number): number {
  return ms > 0 ? bytes / 1e6 / (ms / 1000) : Number.NaN;
}

/** Rounds for JSON output: figures carry 3 significant decimals at most. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** "64KiB", "1MiB", "4GiB" for whole binary units, else formatSize-like text. */
export function sizeLabel(bytes: number): string {
  for (const [unit, n] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
    if (bytes >= n) return `${(bytes / n).toFixed(1)}${unit}`;
  }
  return `${bytes}B`;
}
