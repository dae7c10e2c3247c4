// Shards: two shards cover the set exactly once; merge finds what is missing
// or done twice; the Kubernetes and Slurm examples of docs/CONVERT.md run
// as written (with the environment those systems set).
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeManifests, shardOf } from '../../dist/index.js';
import { CLI, ROOT, runCli, tempDir } from '../helpers/fixtures.js';
import { doneLines, makeTree, manifestLines, treeDigests } from './tree.js';

const tmp = tempDir('hvs-convert-shard-');
const IN = tmp.path('in');
let rels: string[] = [];

beforeAll(() => {
  rels = makeTree(IN, { small: 60, smallMax: 3000, large: [300_000], seed: 5 });
});
afterAll(() => tmp.cleanup());

const shardManifest = (out: string, k: number, n: number): string => join(out, `.hivestream-manifest.shard-${k}-of-${n}.jsonl`);

interface MergeJson {
  ok: boolean;
  jobFiles: number;
  files: { done: number; missing: number; duplicated: number; failed: number };
  missing: string[];
  problems: string[];
}

describe('shards', () => {
  const OUT = tmp.path('two');

  it('two shards, run at once into one folder, cover every file exactly once; merge says complete', async () => {
    const [a, b] = await Promise.all(
      [0, 1].map((k) => runCli(['convert', IN, '--to', 'hvs', '-o', OUT, '--shard', `${k}/2`, '-w', '1', '-q'])),
    );
    expect([a?.code, b?.code, a?.stderr, b?.stderr]).toEqual([0, 0, '', '']);
    const byShard = [0, 1].map((k) => doneLines(shardManifest(OUT, k, 2)).map((l) => l.input));
    const [s0 = [], s1 = []] = byShard;
    expect([...s0, ...s1].sort()).toEqual(rels);
    expect(s0.filter((r) => s1.includes(r))).toEqual([]);
    for (const r of s0) expect(shardOf(r, 2)).toBe(0);
    for (const r of s1) expect(shardOf(r, 2)).toBe(1);
    expect(s0.length).toBeGreaterThan(10);
    expect(s1.length).toBeGreaterThan(10);
    expect([...treeDigests(OUT).keys()].sort()).toEqual(rels.map((r) => `${r}.hvs`).sort());
    expect(manifestLines(shardManifest(OUT, 0, 2))[0]).toMatchObject({ kind: 'job', shard: { index: 0, count: 2 }, jobFiles: rels.length, shardFiles: s0.length });

    const merged = join(OUT, 'merged.jsonl');
    const m = await runCli(['manifest', 'merge', shardManifest(OUT, 0, 2), shardManifest(OUT, 1, 2), '-o', merged, '--expect', IN, '--json']);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    const report = JSON.parse(m.stdout.toString()) as MergeJson;
    expect(report).toMatchObject({ ok: true, jobFiles: rels.length, files: { done: rels.length, missing: 0, duplicated: 0, failed: 0 } });
    const lines = manifestLines(merged);
    expect(lines[0]).toMatchObject({ kind: 'job', shard: null, shardFiles: rels.length });
    expect(lines.slice(1).map((l) => l.input)).toEqual(rels);
  });

  it('merge reports a missing shard (by name with --expect) and a file done twice; the CLI exits 15', async () => {
    const alone = await mergeManifests({ manifests: [shardManifest(OUT, 0, 2)] });
    const s1 = doneLines(shardManifest(OUT, 1, 2)).map((l) => l.input);
    expect(alone.ok).toBe(false);
    expect(alone.problems).toEqual(['shard 1/2 is missing (no manifest given for it)']);
    expect(alone.files.missing).toBe(s1.length);
    const named = await mergeManifests({ manifests: [shardManifest(OUT, 0, 2)], expect: IN });
    expect(named.missing.sort()).toEqual(s1.sort());

    // A line of shard 0 also done in shard 1: that file was converted twice.
    const twice = tmp.path('twice.jsonl');
    copyFileSync(shardManifest(OUT, 1, 2), twice);
    const stolen = readFileSync(shardManifest(OUT, 0, 2), 'utf8')
      .split('\n')
      .find((l) => l.includes('"status":"done"'));
    appendFileSync(twice, `${stolen ?? ''}\n`);
    const dup = await mergeManifests({ manifests: [shardManifest(OUT, 0, 2), twice] });
    expect(dup.files.duplicated).toBe(1);
    expect(dup.ok).toBe(false);

    const r = await runCli(['manifest', 'merge', shardManifest(OUT, 0, 2), twice]);
    expect(r.code).toBe(15);
    expect(r.stderr).toMatch(/^hivestream: the job is incomplete: 1 done twice\n$/);
    expect(r.stdout.toString()).toMatch(/done twice:\n {2}\S+: /);
  });
});

/** The fenced blocks of one language in docs/CONVERT.md. */
function blocks(lang: string): string[] {
  const text = readFileSync(join(ROOT, 'docs', 'CONVERT.md'), 'utf8');
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the batch-system examples in docs/CONVERT.md', () => {
  const BIN = tmp.path('bin');
  beforeAll(() => {
    // `hivestream` on PATH, as in the image or on the cluster.
    mkdirSync(BIN);
    writeFileSync(join(BIN, 'hivestream'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(BIN, 'hivestream'), 0o755);
  });
  const PATH = (): string => `${BIN}:${process.env.PATH ?? ''}`;

  it('Kubernetes: the Indexed Job args, once per JOB_COMPLETION_INDEX, then the merge args', async () => {
    const yaml = blocks('yaml');
    const [job, merge] = yaml;
    const completions = Number(/completions: (\d+)/.exec(job ?? '')?.[1]);
    const count = /name: HIVESTREAM_SHARD_COUNT\s+value: "(\d+)"/.exec(job ?? '')?.[1];
    expect(completions).toBe(4);
    expect(count).toBe('4');
    const argsOf = (block: string | undefined): string[] => {
      const line = /args: (\[.*\])/.exec(block ?? '')?.[1];
      const paths = (s: string): string => s.replace('/data/in', IN).replace('/data/out', tmp.path('k8s'));
      return (JSON.parse(line ?? '[]') as string[]).map(paths);
    };
    expect(/command: \["hivestream"\]/.test(job ?? '')).toBe(true);
    const results = await Promise.all(
      Array.from({ length: completions }, (_, i) => run('hivestream', argsOf(job), { PATH: PATH(), JOB_COMPLETION_INDEX: String(i), HIVESTREAM_SHARD_COUNT: count ?? '' })),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const m = await run('hivestream', argsOf(merge), { PATH: PATH() });
    expect(m.out).toMatch(/complete/);
    expect(m.code).toBe(0);
    expect(manifestLines(join(tmp.path('k8s'), 'manifest.jsonl'))).toHaveLength(rels.length + 1);
  });

  it('Slurm: the sbatch script under bash, once per SLURM_ARRAY_TASK_ID, then the merge it submits', async () => {
    const bash = blocks('bash');
    const script = bash.find((b) => b.includes('#SBATCH --array='));
    const submit = bash.find((b) => b.includes('sbatch --dependency'));
    expect(script).toBeDefined();
    const array = /#SBATCH --array=(\d+)-(\d+)/.exec(script ?? '');
    const [min, max] = [Number(array?.[1]), Number(array?.[2])];
    writeFileSync(tmp.path('convert.sbatch'), script ?? '');
    const env = { PATH: PATH(), IN, OUT: tmp.path('slurm'), SLURM_ARRAY_TASK_COUNT: String(max - min + 1), SLURM_ARRAY_TASK_MIN: String(min), SLURM_CPUS_PER_TASK: '1' };
    const results = await Promise.all(
      Array.from({ length: max - min + 1 }, (_, i) => run('bash', [tmp.path('convert.sbatch')], { ...env, SLURM_ARRAY_TASK_ID: String(min + i) })),
    );
    expect(results.map((r) => [r.code, r.out])).toEqual(results.map(() => [0, '']));
    const wrap = /--wrap '([^']+)'/.exec(submit ?? '')?.[1];
    expect(wrap).toMatch(/^hivestream manifest merge /);
    const m = await run('bash', ['-c', wrap ?? 'false'], env);
    expect(m.code).toBe(0);
    expect(manifestLines(join(tmp.path('slurm'), 'manifest.jsonl'))).toHaveLength(rels.length + 1);
  });
});
