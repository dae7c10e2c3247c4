// Joining the manifests of a sharded job: one line per file, plus what is
// wrong with the set as a whole (a shard missing, files done twice, files no
// shard accounted for, shards that planned different file lists).
import { realpath, stat } from 'node:fs/promises';
import { IoError, ManifestError } from '../errors.js';
import { openSink } from '../io/sink.js';
import { readManifest, summarize, type FileLine, type JobLine } from './manifest.js';
import { planJob } from './plan.js';
import type { Shard } from './shard.js';

export interface MergeOptions {
  manifests: string[];
  /** The job's input folder: lists the files that should be there, by name. */
  expect?: string;
  /** Where to write the merged manifest (a manifest of the whole job). */
  output?: string;
}

export interface MergeReport {
  operation: 'merge';
  /** Per manifest: its shard, files by status, input bytes of its done files, and the bytes its job line planned for it. */
  manifests: Array<{ path: string; shard: Shard | null; done: number; failed: number; skipped: number; bytes: number; plannedBytes: number | null }>;
  /** Files in the whole job, from the manifests' job lines (or the --expect folder). */
  jobFiles: number;
  files: { done: number; failed: number; skipped: number; missing: number; duplicated: number; unexpected: number };
  /** Names of missing files (known with --expect; otherwise only the count is). */
  missing: string[];
  duplicates: Array<{ input: string; manifests: string[] }>;
  failures: Array<{ input: string; code: string; message: string }>;
  /** Files the manifests record that --expect does not list (the input tree changed). */
  unexpected: string[];
  /** Problems with the set of manifests itself. */
  problems: string[];
  ok: boolean;
  output: string | null;
}

interface Loaded {
  path: string;
  job: JobLine;
  files: Map<string, FileLine>;
}

async function load(path: string): Promise<Loaded> {
  const contents = await readManifest(path);
  if (contents === undefined) {
    // readManifest says undefined for a missing file and for an empty one: tell them apart.
    const st = await stat(path).catch((cause: unknown) => {
      throw new IoError('read', path, { cause });
    });
    throw new ManifestError(path, st.isFile() ? 'empty file: not a hivestream convert manifest' : 'not a regular file');
  }
  const { job, files } = summarize(contents);
  if (job === undefined) throw new ManifestError(path, 'no job line: not a hivestream convert manifest');
  return { path, job, files };
}

function sameJob(a: JobLine, b: JobLine): string | undefined {
  if (a.listSha256 !== b.listSha256 || a.jobFiles !== b.jobFiles) return 'planned different file lists';
  if (a.to !== b.to || a.compression !== b.compression || a.chunkSize !== b.chunkSize) return 'used different settings';
  if ((a.shard?.count ?? 1) !== (b.shard?.count ?? 1)) return 'used different shard counts';
  if ((a.balance ?? null) !== (b.balance ?? null)) return `balanced shards differently (${a.balance ?? 'none'} and ${b.balance ?? 'none'})`;
  if (a.assignmentSha256 !== b.assignmentSha256) return 'assigned files to shards differently (the input files changed between the shards\' runs?)';
  return undefined;
}

function shardProblems(loaded: Loaded[]): string[] {
  const problems: string[] = [];
  const first = loaded[0];
  if (first === undefined) return problems;
  for (const l of loaded.slice(1)) {
    const why = sameJob(first.job, l.job);
    if (why !== undefined) problems.push(`${first.path} and ${l.path} ${why}`);
  }
  const count = first.job.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const l of loaded) {
    const index = l.job.shard?.index ?? 0;
    const other = seen.get(index);
    if (other !== undefined) problems.push(`shard ${index}/${count} appears twice: ${other} and ${l.path}`);
    seen.set(index, l.path);
  }
  for (let i = 0; i < count; i++) if (!seen.has(i)) problems.push(`shard ${i}/${count} is missing (no manifest given for it)`);
  return problems;
}

export async function mergeManifests(opts: MergeOptions): Promise<MergeReport> {
  const loaded: Loaded[] = [];
  for (const p of opts.manifests) loaded.push(await load(p));
  const problems = shardProblems(loaded);
  const first = loaded[0];
  if (first === undefined) throw new ManifestError('(none)', 'no manifest given');

  // The final line of each file, and every manifest in which it is done.
  const final = new Map<string, FileLine>();
  const doneIn = new Map<string, string[]>();
  const manifests: MergeReport['manifests'] = [];
  for (const l of loaded) {
    const counts = { done: 0, failed: 0, skipped: 0, bytes: 0 };
    for (const [input, line] of l.files) {
      counts[line.status]++;
      if (line.status === 'done') counts.bytes += line.inputSize ?? 0;
      if (line.status === 'done') doneIn.set(input, [...(doneIn.get(input) ?? []), l.path]);
      const prev = final.get(input);
      if (prev === undefined || (prev.status !== 'done' && (line.status === 'done' || line.at > prev.at))) final.set(input, line);
    }
    manifests.push({ path: l.path, shard: l.job.shard, ...counts, plannedBytes: l.job.shardBytes?.[l.job.shard?.index ?? 0] ?? null });
  }

  let jobFiles = first.job.jobFiles;
  let missing: string[] = [];
  let missingCount: number;
  let unexpected: string[] = [];
  if (opts.expect !== undefined) {
    const realOut = await realpath(first.job.outDir).catch(() => undefined);
    const plan = await planJob({ inputs: [opts.expect], to: first.job.to, realOut });
    const expected = new Set(plan.entries.map((e) => e.rel));
    jobFiles = expected.size;
    missing = [...expected].filter((rel) => !final.has(rel));
    missingCount = missing.length;
    unexpected = [...final.keys()].filter((rel) => !expected.has(rel)).sort();
  } else {
    missingCount = Math.max(0, jobFiles - final.size);
  }

  const lines = [...final.values()].sort((a, b) => (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
  const count = (s: FileLine['status']): number => lines.filter((l) => l.status === s).length;
  const duplicates = [...doneIn].filter(([, m]) => m.length > 1).map(([input, m]) => ({ input, manifests: m }));
  const failures = lines.filter((l) => l.status === 'failed').map((l) => ({ input: l.input, code: l.error?.code ?? 'E_UNKNOWN', message: l.error?.message ?? '' }));
  const report: MergeReport = {
    operation: 'merge',
    manifests,
    jobFiles,
    files: { done: count('done'), failed: failures.length, skipped: count('skipped'), missing: missingCount, duplicated: duplicates.length, unexpected: unexpected.length },
    missing,
    duplicates,
    failures,
    unexpected,
    problems,
    ok: problems.length === 0 && missingCount === 0 && duplicates.length === 0 && failures.length === 0,
    output: null,
  };
  if (opts.output !== undefined) {
    await writeMerged(opts.output, first.job, loaded, lines);
    report.output = opts.output;
  }
  return report;
}

/** The merged manifest reads as the manifest of one unsharded run of the whole job. */
async function writeMerged(path: string, job: JobLine, loaded: Loaded[], lines: FileLine[]): Promise<void> {
  const startedAt = loaded.map((l) => l.job.startedAt).sort()[0] ?? job.startedAt;
  // Not sharded any more: no shard, no balance, no assignment.
  const { shardBytes: _bytes, assignmentSha256: _assignment, ...whole } = job;
  const head: JobLine = { ...whole, startedAt, resume: false, shard: null, balance: null, shardFiles: job.jobFiles };
  const text = [head, ...lines].map((l) => JSON.stringify(l)).join('\n') + '\n';
  const sink = await openSink(path, { durable: true });
  try {
    await sink.write([Buffer.from(text)]);
    await sink.commit();
  } catch (err) {
    await sink.abort(err);
    throw err;
  }
}
