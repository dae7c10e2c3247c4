// scripts/gen-data.mjs: deterministic from the seed, the same bytes to a file
// or to stdout, exact sizes, and bad options fail cleanly leaving no file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, sample, tempDir } from '../helpers/fixtures.js';

const SCRIPT = `${ROOT}scripts/gen-data.mjs`;
const tmp = tempDir('hvs-gen-');
afterAll(() => tmp.cleanup());

function gen(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('scripts/gen-data.mjs', () => {
  it('writes the generator bytes for a seed, to a file or to stdout', () => {
    for (const profile of ['text', 'tensor', 'random', 'mixed'] as const) {
      const file = tmp.path(`${profile}.bin`);
      expect(gen(['--profile', profile, '--size', '2.5MiB', '--seed', '7', '-o', file]).status).toBe(0);
      const bytes = readFileSync(file);
      expect(bytes.length).toBe(2.5 * 2 ** 20);
      expect(bytes.equals(sample(profile, bytes.length, 7))).toBe(true);
      const piped = gen(['--profile', profile, '--size', '2.5MiB', '--seed', '7', '-o', '-']);
      expect(sha(piped.stdout)).toBe(sha(bytes));
    }
    const other = gen(['--profile', 'text', '--size', '64KiB', '--seed', '8', '-o', '-']).stdout;
    expect(other.equals(readFileSync(tmp.path('text.bin')).subarray(0, 65536))).toBe(false);
    // JSON Lines records.
    const firstLine = readFileSync(tmp.path('text.bin')).toString('utf8').split('\n')[0] ?? '';
    expect(JSON.parse(firstLine)).toHaveProperty('text');
  });

  it('hivestream gen writes the same bytes, to a file or to stdout', async () => {
    const file = tmp.path('cli.bin');
    const r = await runCli(['gen', '--profile', 'mixed', '--size', '3MiB', '--seed', '9', '-o', file]);
    expect(r.code).toBe(0);
    const expected = sample('mixed', 3 * 2 ** 20, 9);
    expect(readFileSync(file).equals(expected)).toBe(true);
    const piped = await runCli(['gen', '--profile', 'mixed', '--size', '3MiB', '--seed', '9', '-o', '-']);
    expect(piped.stdout.equals(expected)).toBe(true);
    const bad = await runCli(['gen', '--profile', 'audio', '--size', '1MiB', '-o', tmp.path('no.bin')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hivestream: invalid profile: audio/);
    expect(existsSync(tmp.path('no.bin'))).toBe(false);
  });

  it('fails with one line and exit code 2 on bad options, leaving no file', () => {
    const out = tmp.path('never.bin');
    const bad = gen(['--profile', 'video', '--size', '1MiB', '-o', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^gen-data: invalid profile: video/)]);
    expect(existsSync(out)).toBe(false);
    expect(gen(['--size', 'lots', '-o', out]).status).toBe(2);
    expect(gen(['--size', '1MiB']).status).toBe(2);
  });
});
