// Shards, through the Kubernetes and Slurm examples of docs/CONVERT.md run
// as written (with the environment those systems set): the shards cover the
// set exactly once, and merge finds what is missing or done twice.
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignShards, convert, mergeManifests, shardOf } from '../../dist/index.js';
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

describe('shards', () => {
  it('two path-hashed shards, run at once into one folder, cover the set exactly once', async () => {
    const out = tmp.path('two');
    const reports = await Promise.all([0, 1].map((index) => convert({ inputs: [IN], outDir: out, to: 'hvs', workers: 1, shard: { index, count: 2 }, balance: 'path' })));
    expect(reports.map((r) => r.manifest)).toEqual([shardManifest(out, 0, 2), shardManifest(out, 1, 2)].map((p) => realpathSync(p)));
    const [s0 = [], s1 = []] = [0, 1].map((k) => doneLines(shardManifest(out, k, 2)).map((l) => l.input));
    expect([...s0, ...s1].sort()).toEqual(rels);
    expect(s0.filter((r) => s1.includes(r))).toEqual([]);
    expect(s0.every((r) => shardOf(r, 2) === 0) && s1.every((r) => shardOf(r, 2) === 1)).toBe(true);
    expect(Math.min(s0.length, s1.length)).toBeGreaterThan(15);
    expect([...treeDigests(out).keys()].sort()).toEqual(rels.map((r) => `${r}.hvs`).sort());
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
  const K8S = tmp.path('k8s');
  /** The args of a YAML block, with the volume's paths mapped to the test's folders. */
  const k8sArgs = (block: string | undefined): string[] => {
    const line = /args: (\[.*\])/.exec(block ?? '')?.[1];
    return (JSON.parse(line ?? '[]') as string[]).map((a) => a.replace('/data/in', IN).replace('/data/out', K8S));
  };

  it('Kubernetes: the Indexed Job args, once per JOB_COMPLETION_INDEX at once into one folder, cover every file exactly once', async () => {
    const [job] = blocks('yaml');
    const completions = Number(/completions: (\d+)/.exec(job ?? '')?.[1]);
    const count = /name: HIVESTREAM_SHARD_COUNT\s+value: "(\d+)"/.exec(job ?? '')?.[1];
    expect(completions).toBe(4);
    expect(count).toBe('4');
    expect(/command: \["hivestream"\]/.test(job ?? '')).toBe(true);
    const results = await Promise.all(
      Array.from({ length: completions }, (_, i) => run('hivestream', k8sArgs(job), { PATH: PATH(), JOB_COMPLETION_INDEX: String(i), HIVESTREAM_SHARD_COUNT: count ?? '' })),
    );
    // --quiet --progress=plain: only the progress lines for the pod's log.
    expect(results.map((r) => [r.code, /^(converting: .*\n)+$/.test(r.out)])).toEqual(results.map(() => [0, true]));

    const byShard = [0, 1, 2, 3].map((k) => doneLines(shardManifest(K8S, k, 4)).map((l) => l.input));
    expect(byShard.flat().sort()).toEqual(rels);
    // Size-balanced (the default): each shard did exactly what the assignment from the tree's sizes gives it.
    const sized = rels.map((rel) => ({ rel, size: statSync(join(IN, rel)).size }));
    const plan = assignShards(sized, 4, 'size');
    byShard.forEach((inputs, k) => {
      expect(inputs.length).toBeGreaterThan(5);
      expect(inputs.sort()).toEqual(sized.filter((_, i) => plan.shardOf[i] === k).map((f) => f.rel));
    });
    expect(manifestLines(shardManifest(K8S, 0, 4))[0]).toMatchObject({ balance: 'size', shardBytes: plan.shardBytes, assignmentSha256: plan.sha256 });
    expect([...treeDigests(K8S).keys()].sort()).toEqual(rels.map((r) => `${r}.hvs`).sort());
    expect(manifestLines(shardManifest(K8S, 2, 4))[0]).toMatchObject({ kind: 'job', shard: { index: 2, count: 4 }, jobFiles: rels.length, shardFiles: byShard[2]?.length });
  });

  it('Kubernetes: the merge args join the shards into one manifest of the whole job', async () => {
    const [, merge] = blocks('yaml');
    const m = await run('hivestream', k8sArgs(merge), { PATH: PATH() });
    expect(m.out).toMatch(/^merged 4 manifests of a \d+-file job: complete\n/);
    expect(m.code).toBe(0);
    const lines = manifestLines(join(K8S, 'manifest.jsonl'));
    expect(lines[0]).toMatchObject({ kind: 'job', shard: null, shardFiles: rels.length });
    expect(lines.slice(1).map((l) => l.input)).toEqual(rels);
    const report = await mergeManifests({ manifests: [0, 1, 2, 3].map((k) => shardManifest(K8S, k, 4)), expect: IN });
    expect(report).toMatchObject({ ok: true, jobFiles: rels.length, files: { done: rels.length, missing: 0, duplicated: 0, failed: 0 }, problems: [] });
  });

  it('merge reports a missing shard (by name with --expect) and a file done twice; the CLI exits 15', async () => {
    const three = [0, 1, 2].map((k) => shardManifest(K8S, k, 4));
    const s3 = doneLines(shardManifest(K8S, 3, 4)).map((l) => l.input);
    const alone = await mergeManifests({ manifests: three });
    expect(alone.ok).toBe(false);
    expect(alone.problems).toEqual(['shard 3/4 is missing (no manifest given for it)']);
    expect(alone.files.missing).toBe(s3.length);
    const named = await mergeManifests({ manifests: three, expect: IN });
    expect(named.missing.sort()).toEqual(s3.sort());

    // A line of shard 0 also done in shard 3: that file was converted twice.
    const twice = tmp.path('twice.jsonl');
    copyFileSync(shardManifest(K8S, 3, 4), twice);
    const stolen = readFileSync(shardManifest(K8S, 0, 4), 'utf8')
      .split('\n')
      .find((l) => l.includes('"status":"done"'));
    appendFileSync(twice, `${stolen ?? ''}\n`);
    const dup = await mergeManifests({ manifests: [...three, twice] });
    expect(dup.files.duplicated).toBe(1);
    expect(dup.ok).toBe(false);

    const r = await runCli(['manifest', 'merge', ...three, twice]);
    expect(r.code).toBe(15);
    expect(r.stderr).toMatch(/^hivestream: the job is incomplete: 1 done twice\n$/);
    expect(r.stdout.toString()).toMatch(/done twice:\n {2}\S+: /);
  });

  it('Slurm: the sbatch script under bash, once per SLURM_ARRAY_TASK_ID, then the merge it submits', async () => {
    const bash = blocks('bash');
    const script = bash.find((b) => b.includes('#SBATCH --array='));
    const submit = bash.find((b) => b.includes('sbatch --dependency'));
    expect(script).toBeDefined();
    const array = /#SBATCH --array=(\d+)-(\d+)/.exec(script ?? '');
    const [min, max] = [Number(array?.[1]), Number(array?.[2])];
    writeFileSync(tmp.path('convert.sbatch'), script ?? '');
    // IMAGE_RUN empty: hivestream from PATH rather than through Apptainer.
    const env = { PATH: PATH(), IN, OUT: tmp.path('slurm'), IMAGE_RUN: '', SLURM_ARRAY_TASK_COUNT: String(max - min + 1), SLURM_ARRAY_TASK_MIN: String(min), SLURM_CPUS_PER_TASK: '1' };
    const results = await Promise.all(
      Array.from({ length: max - min + 1 }, (_, i) => run('bash', [tmp.path('convert.sbatch')], { ...env, SLURM_ARRAY_TASK_ID: String(min + i) })),
    );
    expect(results.map((r) => [r.code, /^(converting: .*\n)+$/.test(r.out)])).toEqual(results.map(() => [0, true]));
    const wrap = /--wrap '([^']+)'/.exec(submit ?? '')?.[1];
    expect(wrap).toMatch(/^\$IMAGE_RUN hivestream manifest merge /);
    const m = await run('bash', ['-c', wrap ?? 'false'], env);
    expect(m.code).toBe(0);
    expect(manifestLines(join(tmp.path('slurm'), 'manifest.jsonl'))).toHaveLength(rels.length + 1);
  });
});
