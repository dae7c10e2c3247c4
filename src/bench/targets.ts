// The issue's targets that the sweep measures: small chunks keep up with
// large ones, and peak RSS does not grow with the input.
import { KiB, MiB } from '../options.js';
import type { SweepResult } from './sweep.js';
import { round, sizeLabel } from './stats.js';

export interface Target {
  label: string;
  /** The bound, e.g. ">= 0.80". */
  target: string;
  /** The measured figure the bound applies to (null when not measured). */
  value: number | null;
  met: boolean | null;
  detail: string;
}

/** 64 KiB chunks at >= 80% of 1 MiB-chunk throughput; peak RSS within 20% across input sizes. */
export function sweepTargets(r: Pick<SweepResult, 'points' | 'rss' | 'machine'>): Target[] {
  const workersTested = [...new Set(r.points.map((p) => p.workers))];
  // At the worker count a deployment would use: one per core when measured.
  const workers = workersTested.includes(r.machine.cores) ? r.machine.cores : Math.max(...workersTested);
  const pairs: string[] = [];
  const ratios: number[] = [];
  for (const small of r.points.filter((p) => p.workers === workers && p.chunkSize === 64 * KiB)) {
    const large = r.points.find((p) => p.workers === workers && p.chunkSize === MiB && p.codec === small.codec && p.profile === small.profile);
    if (large === undefined || !(large.mbPerSec > 0)) continue;
    const ratio = round(small.mbPerSec / large.mbPerSec, 3);
    ratios.push(ratio);
    pairs.push(`${small.profile}/${small.codec} ${ratio.toFixed(2)}`);
  }
  const chunkValue = ratios.length === 0 ? null : Math.min(...ratios);
  const chunk: Target = {
    label: '64 KiB chunks at least 80% of the 1 MiB-chunk throughput',
    target: '>= 0.80 (worst profile/codec)',
    value: chunkValue,
    met: chunkValue === null ? null : chunkValue >= 0.8,
    detail: ratios.length === 0 ? 'not measured (needs 64KiB and 1MiB chunk sizes)' : `${workers} workers: ${pairs.join(', ')}`,
  };
  const rssPoints = r.rss.points;
  const peaks = rssPoints.map((p) => p.peakRssBytes);
  const spread = peaks.length < 2 ? null : round(Math.max(...peaks) / Math.min(...peaks), 3);
  const first = rssPoints[0];
  const last = rssPoints[rssPoints.length - 1];
  const rss: Target = {
    label: 'peak RSS flat (within 20%) from 256 MiB to 4 GiB inputs',
    target: '<= 1.20 (largest / smallest peak)',
    value: spread,
    met: spread === null ? null : spread <= 1.2,
    detail:
      first === undefined || last === undefined
        ? 'not measured'
        : `${rssPoints.map((p) => `${sizeLabel(p.bytes)}: ${(p.peakRssBytes / MiB).toFixed(0)} MiB`).join(', ')}`,
  };
  return [chunk, rss];
}
