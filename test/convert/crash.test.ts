// A real signal in the middle of a job: SIGKILL (a crash, no cleanup at all)
// and SIGINT (Ctrl-C), then --resume finishes with every file exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../dist/index.js';
import { CLI, runCli, tempDir } from '../helpers/fixtures.js';
import { doneLines, makeTree, manifestLines, partials, rootDigest, treeDigests } from './tree.js';

const tmp = tempDir('hvs-convert-crash-');
const IN = tmp.path('in');
let rels: string[] = [];
// Small chunks and one worker per file: a job of a second or so, long enough to be stopped halfway.
const JOB = ['--to', 'hvs', '--lz4', '-c', '4KiB', '-j', '2', '-w', '1'];

beforeAll(() => {
  rels = makeTree(IN, { small: 120, smallMax: 384 * 1024, large: [], seed: 11 });
});
afterAll(() => tmp.cleanup());

function start(out: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'convert', IN, ...JOB, '-o', out, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

/** Waits until the manifest records at least one finished file (or the child exits first). */
async function firstDone(manifest: string, exited: Promise<unknown>): Promise<void> {
  let over = false;
  void exited.then(() => (over = true));
  while (!over && doneLines(manifest).length === 0) await new Promise((r) => setTimeout(r, 5));
}

/** Every input has exactly one done line and one output, byte-identical (its root digest, from the container, verified). */
async function complete(out: string): Promise<void> {
  const manifest = join(out, '.hivestream-manifest.jsonl');
  const done = doneLines(manifest);
  expect(done.map((l) => l.input).sort()).toEqual(rels);
  expect([...treeDigests(out).keys()].sort()).toEqual(rels.map((r) => `${r}.hvs`).sort());
  expect(partials(out)).toEqual([]);
  for (const rel of rels) {
    const data = readFileSync(join(IN, ...rel.split('/')));
    const v = await verify(join(out, ...`${rel}.hvs`.split('/')), { workers: 1 });
    expect({ rel, root: v.rootDigest, bytes: v.bytes }).toEqual({ rel, root: rootDigest(data, 4096), bytes: data.length });
  }
}

describe('convert under signals', () => {
  it('SIGKILL mid-job, then --resume: nothing missing, nothing twice, no partial files left', async () => {
    const out = tmp.path('killed');
    const manifest = join(out, '.hivestream-manifest.jsonl');
    const { child, exited } = start(out);
    await firstDone(manifest, exited);
    child.kill('SIGKILL');
    const r = await exited;
    expect(r.signal).toBe('SIGKILL');
    const before = doneLines(manifest).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(rels.length);

    const resumed = await runCli(['convert', IN, ...JOB, '-o', out, '--resume', '--json']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout.toString()) as { files: { alreadyDone: number; converted: number; failed: number } };
    expect(summary.files.alreadyDone).toBe(before);
    expect(summary.files.converted).toBe(rels.length - before);
    await complete(out);
  });

  it('group commit under SIGKILL at ten random points, then --resume: the tree equals a clean run, every file done once', async () => {
    const out = tmp.path('killed-ten');
    const manifest = join(out, '.hivestream-manifest.jsonl');
    // Seeded kill points: how many finished files to wait for before each kill.
    let s = 99;
    const nextInt = (n: number): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s % n);
    let midJob = 0;
    for (let round = 0; round < 10; round++) {
      const args = ['convert', IN, ...JOB, '-o', out, '-q', ...(round > 0 ? ['--resume'] : [])];
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'ignore'] });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
      let over = false;
      void exited.then(() => (over = true));
      const target = doneLines(manifest).length + 1 + nextInt(12);
      while (!over && doneLines(manifest).length < target) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGKILL');
      if ((await exited) === 'SIGKILL') midJob++;
    }
    expect(midJob).toBeGreaterThanOrEqual(5);
    const resumed = await runCli(['convert', IN, ...JOB, '-o', out, '--resume', '-q']);
    expect(resumed.code).toBe(0);
    await complete(out);
    // The same tree as a clean run's, file for file (root digests of the same bytes and settings).
    const clean = tmp.path('clean');
    expect((await runCli(['convert', IN, ...JOB, '-o', clean, '-q'])).code).toBe(0);
    const roots = (dir: string): Array<[string, string]> =>
      doneLines(join(dir, '.hivestream-manifest.jsonl'))
        .map((l): [string, string] => [l.input, String(l.rootDigest)])
        .sort((a, b) => a[0].localeCompare(b[0]));
    expect(roots(out)).toEqual(roots(clean));
  });

  it('SIGINT stops cleanly: exit 130, one line, manifest closed, partial outputs removed; --resume finishes', async () => {
    const out = tmp.path('interrupted');
    const manifest = join(out, '.hivestream-manifest.jsonl');
    const { child, exited } = start(out);
    await firstDone(manifest, exited);
    child.kill('SIGINT');
    const r = await exited;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^hivestream: interrupted: \d+ files converted, \d+ left; run the same command with --resume to finish\n$/);
    const lines = manifestLines(manifest);
    expect(lines[lines.length - 1]).toMatchObject({ kind: 'end', interrupted: true });
    expect(lines.filter((l) => l.kind === 'file' && l.status !== 'done')).toEqual([]);
    expect(partials(out)).toEqual([]);
    expect(existsSync(out)).toBe(true);

    const resumed = await runCli(['convert', IN, ...JOB, '-o', out, '--resume', '-q']);
    expect(resumed.code).toBe(0);
    await complete(out);
  });
});
