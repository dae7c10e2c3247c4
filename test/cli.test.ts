import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, sample, tempDir } from './helpers/fixtures.js';

const tmp = tempDir('hvs-cli-');
afterAll(() => tmp.cleanup());

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^hivestream: /);
}

describe('hivestream CLI', () => {
  it('packs, inspects, verifies and unpacks through files with --json reports', async () => {
    const data = sample('mixed', 3 * 65536 + 17, 21);
    writeFileSync(tmp.path('a.bin'), data);
    const p = await runCli(['pack', tmp.path('a.bin'), '-o', tmp.path('a.hvs'), '--lz4', '--chunk-size', '64KiB', '--workers', '2', '--json']);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const report = JSON.parse(p.stdout.toString()) as { chunks: number; bytes: number; rootDigest: string };
    expect(report).toMatchObject({ chunks: 4, bytes: data.length });
    const i = await runCli(['inspect', tmp.path('a.hvs'), '--json']);
    expect(JSON.parse(i.stdout.toString())).toMatchObject({ chunks: 4, rootDigest: report.rootDigest, complete: true, chunkSize: 65536 });
    const v = await runCli(['verify', tmp.path('a.hvs')]);
    expect(v.code).toBe(0);
    expect(v.stdout.toString()).toContain('OK');
    expect(v.stdout.toString()).toContain(report.rootDigest);
    const u = await runCli(['unpack', tmp.path('a.hvs'), '-o', tmp.path('a.out')]);
    expect(u.code).toBe(0);
    expect(readFileSync(tmp.path('a.out')).equals(data)).toBe(true);
  });

  it('works in pipes: stdin to stdout, both ways', async () => {
    const data = sample('text', 200_000, 5);
    const packed = await runCli(['pack', '-', '-o', '-', '--lz4', '-c', '64KiB', '--quiet']);
    expect(packed.code).toBe(0);
    const p = await runCli(['pack', '-', '-o', '-', '--lz4', '-c', '64KiB', '--quiet'], data);
    expect(p.code).toBe(0);
    expect(p.stdout.subarray(0, 4).toString('latin1')).toBe('Obj\x01');
    const u = await runCli(['unpack', '-', '-o', '-', '--quiet'], p.stdout);
    expect(u.code).toBe(0);
    expect(u.stderr).toBe('');
    expect(u.stdout.equals(data)).toBe(true);
  });

  it('prints --help for every command', async () => {
    for (const cmd of ['pack', 'unpack', 'verify', 'inspect', 'info', 'convert', 'manifest', 'demo', 'gen', 'bench']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.toString()).toMatch(new RegExp(`^usage: hivestream ${cmd}`));
    }
    const top = await runCli(['--help']);
    expect(top.stdout.toString()).toContain('Commands:');
  });

  it('a corrupted container: one line naming chunk and offset, exit 4, no output left', async () => {
    const data = sample('random', 3 * 65536, 2);
    writeFileSync(tmp.path('c.bin'), data);
    await runCli(['pack', tmp.path('c.bin'), '-o', tmp.path('c.hvs'), '-c', '64KiB', '-q']);
    const bytes = readFileSync(tmp.path('c.hvs'));
    const at = bytes.length - 20_000;
    bytes[at] = (bytes[at] ?? 0) ^ 0x40;
    writeFileSync(tmp.path('bad.hvs'), bytes);
    const v = await runCli(['verify', tmp.path('bad.hvs')]);
    expect(v.code).toBe(4);
    noStack(v.stderr);
    expect(v.stderr).toMatch(/checksum mismatch in chunk 2 \(byte offset \d+, stream offset 131072\)/);
    const u = await runCli(['unpack', tmp.path('bad.hvs'), '-o', tmp.path('bad.out')]);
    expect(u.code).toBe(4);
    noStack(u.stderr);
    expect(existsSync(tmp.path('bad.out'))).toBe(false);
  });

  it('a truncated container exits 5 with a truncated-stream message', async () => {
    const bytes = readFileSync(tmp.path('c.hvs'));
    writeFileSync(tmp.path('trunc.hvs'), bytes.subarray(0, bytes.length - 100));
    const v = await runCli(['verify', tmp.path('trunc.hvs')]);
    expect(v.code).toBe(5);
    noStack(v.stderr);
    expect(v.stderr).toMatch(/truncated container/);
  });

  it('not a container, a missing input, an unwritable output, bad flags: one clear line each', async () => {
    writeFileSync(tmp.path('plain.txt'), 'just some text\n');
    const cases: Array<[string[], number, RegExp]> = [
      [['verify', tmp.path('plain.txt')], 3, /not a hivestream container/],
      [['unpack', tmp.path('missing.hvs'), '-o', tmp.path('x')], 7, /cannot open .*missing\.hvs: no such file or directory \(ENOENT\)/],
      [['pack', tmp.path('plain.txt'), '-o', '/nonexistent-dir/out.hvs'], 7, /cannot create \/nonexistent-dir\/out\.hvs: no such file or directory/],
      [['pack', tmp.path('plain.txt'), '-o', tmp.path('x.hvs'), '--chunk-size', '1KiB'], 2, /invalid chunkSize: 1KiB is outside 4\.00 KiB to 64\.0 MiB/],
      [['pack', tmp.path('plain.txt'), '-o', tmp.path('x.hvs'), '--chunk-size', 'lots'], 2, /"lots" is not a size/],
      [['pack', tmp.path('plain.txt')], 2, /missing: pack needs -o/],
      [['pack', tmp.path('plain.txt'), '-o', tmp.path('x.hvs'), '--bogus'], 2, /Unknown option '--bogus'/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['verify', tmp.dir], 7, /is a directory/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code });
      noStack(r.stderr);
      expect(r.stderr).toMatch(message);
    }
  });

  it('an unwritable output folder fails cleanly and leaves nothing behind', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a path under a regular file instead.
      const r = await runCli(['pack', tmp.path('plain.txt'), '-o', `${tmp.path('plain.txt')}/out.hvs`]);
      expect(r.code).toBe(7);
      noStack(r.stderr);
      return;
    }
    mkdirSync(tmp.path('ro'));
    chmodSync(tmp.path('ro'), 0o555);
    const r = await runCli(['pack', tmp.path('plain.txt'), '-o', tmp.path('ro/out.hvs')]);
    expect(r.code).toBe(7);
    noStack(r.stderr);
    expect(r.stderr).toMatch(/permission denied/);
    expect(readdirSync(tmp.path('ro'))).toEqual([]);
  });
});
