// The human-readable form of a `bench compare` result: a table of
// contenders, then the ratios with the targets they are held to.
import { formatSize } from '../options.js';
import type { CompareResult } from './compare.js';

const GROUP_TITLE = {
  sha256: 'SHA-256 of the file (pack writes its container to /dev/null; verify reads a container)',
  lz4: 'LZ4 (level 1 / default) of the file',
  'lz4-decompress': 'LZ4 decompression (unpack verifies every chunk too)',
} as const;

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : (ms / 1000).toFixed(3);
}

function num(v: number | undefined, digits = 0): string {
  return v === undefined ? '-' : v.toFixed(digits);
}

function percent(v: number | null): string {
  return v === null ? 'unknown (no fincore)' : `${(v * 100).toFixed(1)}% resident`;
}

export function compareText(r: CompareResult): string {
  const c = r.config;
  const lines: string[] = [];
  lines.push(
    `hivestream bench compare: ${formatSize(c.size)} of '${c.profile}' data (seed ${c.seed}), ${c.runs} run${c.runs === 1 ? '' : 's'} round-robin, medians`,
    `${r.machine.cpu}, ${r.machine.cores} cores, node ${r.machine.node}; load average ${r.machine.loadAverage.start} at start, ${r.machine.loadAverage.end ?? '?'} at end`,
    `page cache: input ${percent(r.files.pageCache.before)} before the runs, ${percent(r.files.pageCache.after)} after; warm read ${r.files.warmReadMbPerSec} MB/s`,
    `containers: ${formatSize(r.files.containerBytes)} plain, ${formatSize(r.files.lz4ContainerBytes)} LZ4${r.files.lz4FileBytes === null ? '' : `; lz4 -1 file ${formatSize(r.files.lz4FileBytes)}`}`,
    '',
  );
  const w = Math.max(...r.contenders.map((x) => x.label.length), 10);
  for (const group of Object.keys(GROUP_TITLE) as Array<keyof typeof GROUP_TITLE>) {
    lines.push(GROUP_TITLE[group]);
    lines.push(`  ${pad('contender', w)}  ${pad('median s', 9, true)}  ${pad('min s', 8, true)}  ${pad('MB/s', 7, true)}  ${pad('in-process MB/s', 15, true)}  ${pad('CPU s', 6, true)}`);
    for (const x of r.contenders.filter((k) => k.group === group)) {
      if (x.status !== 'ok') {
        lines.push(`  ${pad(x.label, w)}  ${x.status}${x.reason === undefined ? '' : ` (${x.reason})`}`);
        continue;
      }
      const ip = x.inProcessMs === undefined ? undefined : r.config.size / 1e6 / (x.inProcessMs / 1000);
      lines.push(`  ${pad(x.label, w)}  ${pad(seconds(x.medianMs), 9, true)}  ${pad(seconds(x.minMs), 8, true)}  ${pad(num(x.mbPerSec), 7, true)}  ${pad(num(ip), 15, true)}  ${pad(x.cpuMs === undefined ? '-' : (x.cpuMs / 1000).toFixed(2), 6, true)}`);
    }
    lines.push('');
  }
  lines.push('ratios (peer median time / hivestream median time; above 1 = hivestream faster)');
  const rw = Math.max(...r.ratios.map((x) => x.label.length));
  for (const x of r.ratios) {
    const value = x.ratio === null ? 'n/a' : `${x.ratio.toFixed(2)}x`;
    const paired = x.pairedRatio === null ? '' : `(per-run ${x.pairedRatio.toFixed(2)}x)`;
    const target = x.target === undefined ? '' : `target ${x.target}x: ${x.met === true ? 'met' : x.met === false ? 'MISSED' : 'n/a'}`;
    lines.push(`  ${pad(x.label, rw)}  ${pad(value, 7, true)} ${pad(paired, 18)} ${target}${x.note === undefined ? '' : `  (${x.note})`}`.trimEnd());
  }
  if (!r.digestsAgree) lines.push('', 'WARNING: the root digests reported by hivestream and the baselines differ');
  return lines.join('\n') + '\n';
}
