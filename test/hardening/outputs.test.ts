// Outputs never replace what they point to: an inherited descriptor
// (standard output by any name), a FIFO or a device is written through; a
// link to a regular file is written atomically at its target; an output that
// is the input is refused (exit 2). Temporary names fit NAME_MAX; a second
// Ctrl-C still removes them; after SIGKILL `hivestream clean` does. Broken
// pipes are exit 7 on every command; a folder on stdin is exit 7.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError, pack, verify } from '../../dist/index.js';
import { partialName } from '../../dist/io/partial-name.js';
import { CLI, runCli, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-outputs-');
afterAll(() => tmp.cleanup());
const data = sample('text', 300_000, 41);
const input = tmp.path('in.bin');
writeFileSync(input, data);

const partialsIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.partial'));

/** Runs a shell command line (for redirections); its exit code and stderr. */
function shell(line: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('outputs that are not plain files', () => {
  it('a link to standard output (/proc/self/fd/1) is written through, not replaced', async () => {
    const link = tmp.path('my-stdout');
    symlinkSync('/proc/self/fd/1', link);
    const r = await runCli(['pack', input, '-o', link, '-q']);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const container = tmp.path('from-stdout.hvs');
    writeFileSync(container, r.stdout);
    await expect(verify(container)).resolves.toMatchObject({ bytes: data.length });
  });

  it('/dev/fd/1 works the same for unpack, and the report goes to stderr', async () => {
    const container = tmp.path('u.hvs');
    await pack(data, container);
    const r = await runCli(['unpack', container, '-o', '/dev/fd/1']);
    expect(r.code).toBe(0);
    expect(r.stdout.equals(data)).toBe(true);
    expect(r.stderr).toMatch(/^unpacked /);
  });

  it('an output that is the input is refused with exit 2 and the input is untouched', async () => {
    const copy = tmp.path('self.bin');
    writeFileSync(copy, data);
    const r = await runCli(['pack', copy, '-o', copy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is the input itself/);
    expect(readFileSync(copy).equals(data)).toBe(true);
    const link = tmp.path('self-link.bin');
    symlinkSync(copy, link);
    expect((await runCli(['pack', link, '-o', copy])).code).toBe(2);
    expect((await shell(`"${process.execPath}" "${CLI}" pack - -o "${copy}" < "${copy}"`)).code).toBe(2);
    await expect(pack(copy, copy)).rejects.toBeInstanceOf(ValidationError);
    expect(readFileSync(copy).equals(data)).toBe(true);
    const container = tmp.path('self.hvs');
    await pack(data, container);
    expect((await runCli(['unpack', container, '-o', container])).code).toBe(2);
    await expect(verify(container)).resolves.toBeDefined();
  });

  it('a link to a regular file: written atomically at its target, the link stays', async () => {
    const target = tmp.path('target.hvs');
    writeFileSync(target, 'old');
    const link = tmp.path('link.hvs');
    symlinkSync(target, link);
    expect((await runCli(['pack', input, '-o', link, '-q'])).code).toBe(0);
    expect(readlinkSync(link)).toBe(target);
    await expect(verify(target)).resolves.toMatchObject({ bytes: data.length });
    expect(partialsIn(tmp.dir)).toEqual([]);
  });

  it('a dangling link is refused with exit 2, and nothing is created', async () => {
    const link = tmp.path('dangling.hvs');
    symlinkSync(tmp.path('nowhere/x.hvs'), link);
    const r = await runCli(['pack', input, '-o', link]);
    expect(r.code).toBe(2);
    expect(existsSync(tmp.path('nowhere'))).toBe(false);
  });

  it('a FIFO is written directly (no temporary file next to it)', async () => {
    const fifo = tmp.path('out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const got: Buffer[] = [];
    reader.stdout.on('data', (d: Buffer) => got.push(d));
    const done = new Promise((resolve) => reader.on('close', resolve));
    expect((await runCli(['pack', input, '-o', fifo, '-q'])).code).toBe(0);
    await done;
    const container = tmp.path('via-fifo.hvs');
    writeFileSync(container, Buffer.concat(got));
    await expect(verify(container)).resolves.toMatchObject({ bytes: data.length });
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a folder on standard input is exit 7, not an empty container', async () => {
    const r = await shell(`"${process.execPath}" "${CLI}" pack - -o "${tmp.path('dir.hvs')}" < "${tmp.dir}"`);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/is a directory/);
    expect(existsSync(tmp.path('dir.hvs'))).toBe(false);
  });
});

describe('names', () => {
  it.each([
    ['ASCII', 'n'.repeat(246) + '.hvs'],
    ['multi-byte', 'é'.repeat(123) + '.hvs'],
  ])('an output name of 250 bytes (%s) gets a temporary name within NAME_MAX', async (_kind, name) => {
    expect(Buffer.byteLength(name)).toBe(250);
    const dir = tmp.path(`long-${_kind}`);
    mkdirSync(dir);
    const r = await runCli(['pack', input, '-o', join(dir, name), '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual([name]);
    expect(Buffer.byteLength(partialName(name))).toBeLessThanOrEqual(255);
  });
});

describe('broken pipes are exit 7 on every command', () => {
  const container = tmp.path('bp.hvs');
  it.each([
    ['gen', ['gen', '--size', '64MiB', '-o', '-']],
    ['pack', ['pack', '-', '-o', '-']],
    ['unpack', ['unpack', container, '-o', '-']],
  ])('%s | head', async (_name, args) => {
    if (!existsSync(container)) await pack(sample('random', 32 << 20, 2), container);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      child.stdin.on('error', () => undefined);
      if (args[1] === '-' && args[0] === 'pack') {
        const big = sample('random', 16 << 20, 3);
        child.stdin.end(big);
      } else {
        child.stdin.end();
      }
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).toMatch(/^hivestream: cannot write standard output: broken pipe/);
    expect(r.code).toBe(7);
  });
});

/** Starts `pack - -o out` fed slowly, so that it is mid-run (its partial exists) when the test acts. */
async function packInFlight(dir: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, [CLI, 'pack', '-', '-o', join(dir, 'out.hvs'), '-c', '64KiB', '-q'], { stdio: ['pipe', 'ignore', 'pipe'] });
  child.stdin.on('error', () => undefined);
  child.stdin.write(sample('random', 1 << 20, 5));
  for (let i = 0; i < 200 && partialsIn(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(partialsIn(dir)).toHaveLength(1);
  return child;
}

describe('interrupts', () => {
  it('a second Ctrl-C right after the first exits 130 and still removes the partial output', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir('hvs-sigint-');
      try {
        const child = await packInFlight(dir.dir);
        const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
        child.kill('SIGINT');
        child.kill('SIGINT');
        expect(await exited).toBe(130);
        expect(readdirSync(dir.dir)).toEqual([]);
      } finally {
        dir.cleanup();
      }
    }
  });

  it('after SIGKILL, hivestream clean removes the stale partial and keeps one being written', async () => {
    const dir = tempDir('hvs-sigkill-');
    try {
      const child = await packInFlight(dir.dir);
      const exited = new Promise((resolve) => child.on('close', resolve));
      child.kill('SIGKILL');
      await exited;
      const [stale] = partialsIn(dir.dir);
      // A partial whose writer (this test process) is alive.
      const live = partialName('other.hvs');
      writeFileSync(dir.path(live), 'x');
      const r = await runCli(['clean', dir.dir, '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout.toString()) as { removed: string[]; live: string[] };
      expect(report.removed).toEqual([dir.path(stale ?? '')]);
      expect(report.live).toEqual([dir.path(live)]);
      expect(readdirSync(dir.dir)).toEqual([live]);
    } finally {
      dir.cleanup();
    }
  });
});

describe('manifest merge', () => {
  it('an existing empty manifest is reported as such (exit 16), not as a missing file', async () => {
    const empty = tmp.path('empty.jsonl');
    writeFileSync(empty, '');
    const r = await runCli(['manifest', 'merge', empty, empty]);
    expect(r.code).toBe(16);
    expect(r.stderr).toMatch(/empty file/);
  });
});
