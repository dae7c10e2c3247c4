// Convert reads only what it walked: a file (or a folder above it) swapped
// for a link to a secret between the walk and the read is refused with
// E_INPUT_CHANGED, and the secret reaches no output. Names that are not
// UTF-8 are reported per file and do not stop the job. Outputs confined to
// a folder never leave it through a link.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError, convert, pack } from '../../dist/index.js';
import { runCli, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-swaps-');
afterAll(() => tmp.cleanup());

const SECRET = 'root:$6$secret-hash-that-must-never-be-packed:19000:0:99999:7:::\n';
const secretFile = tmp.path('shadow');
writeFileSync(secretFile, SECRET, { mode: 0o600 });
const outsideDir = tmp.path('outside');
mkdirSync(outsideDir);
writeFileSync(join(outsideDir, 'f.bin'), SECRET);

/** Every byte under `dir`, for "the secret is nowhere" checks (containers of tiny files store them raw). */
function treeBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  const visit = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) parts.push(readFileSync(p));
    }
  };
  visit(dir);
  return Buffer.concat(parts);
}

let n = 0;
/**
 * An input tree; `big` makes the files that get swapped larger than what
 * workers pack whole (256 KiB), so both ways a file is read are covered.
 */
function tree(big = false): { input: string; out: string } {
  const input = tmp.path(`in-${n}`);
  const out = tmp.path(`out-${n++}`);
  mkdirSync(join(input, 'sub'), { recursive: true });
  writeFileSync(join(input, 'a.bin'), sample('text', 200_000, 1));
  writeFileSync(join(input, 'sub', 'f.bin'), big ? sample('random', 300_000, 2) : 'inside\n');
  writeFileSync(join(input, 'z.bin'), big ? sample('random', 300_000, 3) : 'x\n');
  return { input, out };
}

const SIZES = [
  ['small files (packed whole by workers)', false],
  ['large files (read through the engine)', true],
] as const;

/** Converts with one file at a time, running `swap` when the first file starts (after the walk, before the others are read). */
async function convertWithSwap(input: string, out: string, swap: () => void): Promise<Awaited<ReturnType<typeof convert>>> {
  let done = false;
  return convert({
    inputs: [input],
    outDir: out,
    to: 'hvs',
    concurrency: 1,
    workers: 1,
    keepGoing: true,
    onEvent: (e) => {
      if (e.type === 'start' && !done) {
        done = true;
        swap();
      }
    },
  });
}

describe('convert reads only what it walked', () => {
  it.each(SIZES)('a file swapped for a link to a secret after the walk is refused; the secret is in no output: %s', async (_kind, big) => {
    const { input, out } = tree(big);
    const r = await convertWithSwap(input, out, () => {
      rmSync(join(input, 'z.bin'));
      symlinkSync(secretFile, join(input, 'z.bin'));
    });
    expect(r.failures).toEqual([expect.objectContaining({ input: 'z.bin', code: 'E_INPUT_CHANGED' })]);
    expect(r.failures[0]?.message).not.toContain(secretFile);
    expect(existsSync(join(out, 'z.bin.hvs'))).toBe(false);
    expect(treeBytes(out).includes(SECRET)).toBe(false);
    expect(r.files.converted).toBe(2);
  });

  it.each(SIZES)('a folder swapped for a link to another folder after the walk: its files are refused: %s', async (_kind, big) => {
    const { input, out } = tree(big);
    const r = await convertWithSwap(input, out, () => {
      renameSync(join(input, 'sub'), tmp.path(`moved-${n}`));
      symlinkSync(outsideDir, join(input, 'sub'));
    });
    expect(r.failures).toEqual([expect.objectContaining({ input: 'sub/f.bin', code: 'E_INPUT_CHANGED' })]);
    expect(treeBytes(out).includes(SECRET)).toBe(false);
  });

  it.each(SIZES)('a folder moved out of the input folder (same files, now outside) is refused too: %s', async (_kind, big) => {
    const { input, out } = tree(big);
    const moved = tmp.path(`away-${n}`);
    const r = await convertWithSwap(input, out, () => {
      renameSync(join(input, 'sub'), moved);
      symlinkSync(moved, join(input, 'sub'));
    });
    expect(r.failures).toEqual([expect.objectContaining({ input: 'sub/f.bin', code: 'E_INPUT_CHANGED' })]);
  });

  it.each(SIZES)('a file swapped for a FIFO does not hang the job: %s', async (_kind, big) => {
    const { input, out } = tree(big);
    const r = await convertWithSwap(input, out, () => {
      rmSync(join(input, 'z.bin'));
      execFileSync('mkfifo', [join(input, 'z.bin')]);
    });
    expect(r.failures).toEqual([expect.objectContaining({ input: 'z.bin', code: 'E_INPUT_CHANGED' })]);
  });

  it('CLI: a link leading outside that is there at the walk is skipped (as before); the secret is in no output', async () => {
    const { input, out } = tree();
    symlinkSync(secretFile, join(input, 'zz-link'));
    const r = await runCli(['convert', input, '--to', 'hvs', '-o', out, '--keep-going']);
    // A link leading outside is skipped at the walk (as before).
    expect(r.code).toBe(0);
    expect(treeBytes(out).includes(SECRET)).toBe(false);
  });
});

describe('file names that are not UTF-8', () => {
  it('are reported per file (skipped) and do not stop the job', async () => {
    const input = tmp.path('badnames');
    mkdirSync(input);
    const raw = (bytes: number[]): Buffer => Buffer.concat([Buffer.from(`${input}/`), Buffer.from(bytes)]);
    writeFileSync(raw([0x66, 0xff]), 'one');
    writeFileSync(raw([0x66, 0xfe]), 'two');
    mkdirSync(raw([0x64, 0xc3, 0x28]));
    writeFileSync(join(input, 'good.bin'), 'good');
    const out = tmp.path('badnames-out');
    const r = await convert({ inputs: [input], outDir: out, to: 'hvs', workers: 1 });
    expect(r.files.converted).toBe(1);
    expect(r.files.skipped).toBe(3);
    expect(r.failures).toEqual([]);
    const lines = readFileSync(r.manifest, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status?: string; input?: string; reason?: string });
    const skipped = lines.filter((l) => l.status === 'skipped').map((l) => [l.input, l.reason]);
    expect(skipped).toEqual([
      ['d\\xc3(', 'folder name is not valid UTF-8 (not converted)'],
      ['f\\xfe', 'file name is not valid UTF-8 (not converted)'],
      ['f\\xff', 'file name is not valid UTF-8 (not converted)'],
    ]);
  });
});

describe('confined outputs', () => {
  it('outputWithin: a folder on the way that is a link leading outside is refused, nothing written there', async () => {
    const out = tmp.path('confined');
    mkdirSync(out);
    const elsewhere = tmp.path('elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(out, 'sub'));
    await expect(pack(Uint8Array.of(1, 2, 3), join(out, 'sub', 'x.hvs'), { outputWithin: out })).rejects.toBeInstanceOf(ValidationError);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('outputWithin: a link at the output itself is replaced, not followed', async () => {
    const out = tmp.path('confined2');
    mkdirSync(out);
    const victim = tmp.path('victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(out, 'x.hvs'));
    await pack(Uint8Array.of(1, 2, 3), join(out, 'x.hvs'), { outputWithin: out });
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });
});
