// Human-readable summaries of convert and manifest merge.
import type { ConvertReport } from '../convert/run.js';
import type { MergeReport } from '../convert/merge.js';
import { formatSize } from '../options.js';
import { formatDuration } from './progress.js';

/** Lists at most this many names; the manifest has them all. */
const LIST_MAX = 20;

function rows(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `  ${k.padEnd(9)} ${v}`).join('\n') + '\n';
}

function list(title: string, items: string[]): string {
  if (items.length === 0) return '';
  const more = items.length > LIST_MAX ? `\n  ... and ${items.length - LIST_MAX} more` : '';
  return `${title}:\n${items
    .slice(0, LIST_MAX)
    .map((i) => `  ${i}`)
    .join('\n')}${more}\n`;
}

export function convertText(r: ConvertReport): string {
  const shard = r.shard === null ? '' : ` (shard ${r.shard.index}/${r.shard.count})`;
  if (r.nothingToDo) {
    return `nothing to do: all ${r.files.total} files${shard} are already done (${r.files.alreadyDone} converted earlier, ${r.files.skipped} skipped); manifest ${r.manifest}\n`;
  }
  const f = r.files;
  const secs = r.durationMs / 1000;
  const status = r.interrupted ? 'interrupted' : f.failed > 0 ? 'finished with failures' : 'done';
  return (
    `convert to ${r.to} -> ${r.outDir}${shard}: ${status}\n` +
    rows([
      ['files', `${f.converted} converted, ${f.failed} failed, ${f.skipped} skipped, ${f.alreadyDone} already done, ${f.remaining} left, of ${f.total}`],
      ['bytes', `${formatSize(r.bytesIn)} in, ${formatSize(r.bytesOut)} out`],
      ['time', `${secs < 60 ? `${secs.toFixed(2)} s` : formatDuration(r.durationMs)}, ${secs > 0 ? (r.bytesIn / 1e6 / secs).toFixed(1) : 'n/a'} MB/s`],
      ['manifest', r.manifest],
      ...(r.balance === null || r.shard === null
        ? []
        : [['shards', `${r.balance.mode}-balanced; bytes per shard ${r.balance.shardBytes.map((b, i) => `${i === r.shard?.index ? '[' : ''}${formatSize(b)}${i === r.shard?.index ? ']' : ''}`).join(', ')}`] as [string, string]]),
      ...(r.stalePartialsRemoved > 0 ? [['cleaned', `${r.stalePartialsRemoved} stale partial outputs of an earlier run`] as [string, string]] : []),
    ]) +
    list(
      'failed',
      r.failures.map((x) => `${x.input}: ${x.code}: ${x.message}`),
    )
  );
}

export function mergeText(r: MergeReport): string {
  const f = r.files;
  return (
    `merged ${r.manifests.length} manifest${r.manifests.length === 1 ? '' : 's'} of a ${r.jobFiles}-file job: ${r.ok ? 'complete' : 'INCOMPLETE'}\n` +
    rows([
      ['files', `${f.done} done, ${f.skipped} skipped, ${f.failed} failed, ${f.missing} missing, ${f.duplicated} done twice`],
      ...r.manifests.map((m): [string, string] => [m.shard === null ? 'manifest' : `shard ${m.shard.index}/${m.shard.count}`, `${m.done} done (${formatSize(m.bytes)}), ${m.failed} failed, ${m.skipped} skipped (${m.path})`]),
      ...(r.output === null ? [] : [['written', r.output] as [string, string]]),
    ]) +
    list('problems', r.problems) +
    list('failed', r.failures.map((x) => `${x.input}: ${x.code}: ${x.message}`)) +
    list('missing', r.missing) +
    (r.missing.length === 0 && f.missing > 0 ? `missing: ${f.missing} files have no line in any manifest (pass --expect <input-folder> to name them)\n` : '') +
    list('done twice', r.duplicates.map((d) => `${d.input}: ${d.manifests.join(', ')}`)) +
    list('not in the input folder', r.unexpected)
  );
}
