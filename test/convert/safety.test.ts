// Outputs stay inside the output folder, inputs are never modified, a file
// that changes while it is read fails (and is reported), and a job refuses
// settings it cannot honour.
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, pack, ValidationError, type ConvertEvent } from '../../dist/index.js';
import { runCli, sample, tempDir } from '../helpers/fixtures.js';
import { fileLines, manifestLines, partials, treeDigests, treeStats } from './tree.js';

const tmp = tempDir('hvs-convert-safety-');
afterAll(() => tmp.cleanup());

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^hivestream: /);
}

describe('links and names', () => {
  const IN = tmp.path('links-in');
  const OUTSIDE = tmp.path('outside');
  beforeAll(() => {
    mkdirSync(join(IN, 'sub'), { recursive: true });
    mkdirSync(OUTSIDE);
    writeFileSync(join(IN, 'sub', 'real.bin'), sample('text', 5000, 1));
    writeFileSync(join(OUTSIDE, 'secret.txt'), 'not yours\n');
    symlinkSync('real.bin', join(IN, 'sub', 'inside-link'));
    symlinkSync(join(OUTSIDE, 'secret.txt'), join(IN, 'sub', 'outside-link'));
    symlinkSync('..', join(IN, 'sub', 'loop'));
    symlinkSync('missing', join(IN, 'sub', 'dangling'));
    writeFileSync(join(IN, '..x..'), 'dots are just characters\n');
  });

  it('follows links to files inside the input folder only, and records the rest as skipped', async () => {
    const out = tmp.path('links-out');
    const before = treeStats(IN);
    const r = await convert({ inputs: [IN], outDir: out, to: 'hvs', workers: 1 });
    expect(r.files).toMatchObject({ total: 6, converted: 3, skipped: 3, failed: 0 });
    expect([...treeDigests(out).keys()].sort()).toEqual(['..x...hvs', 'sub/inside-link.hvs', 'sub/real.bin.hvs']);
    const skipped = Object.fromEntries(fileLines(join(out, '.hivestream-manifest.jsonl'), 'skipped').map((l) => [l.input, l.reason]));
    expect(skipped).toEqual({
      'sub/outside-link': 'symbolic link leading outside the input folder',
      'sub/loop': 'symbolic link to a folder (not followed)',
      'sub/dangling': 'broken symbolic link',
    });
    expect(treeStats(IN)).toEqual(before);
    expect(readdirSync(OUTSIDE)).toEqual(['secret.txt']);
  });

  it('refuses to write through a link in the output folder that leads outside it', async () => {
    const out = tmp.path('trap-out');
    mkdirSync(out);
    symlinkSync(OUTSIDE, join(out, 'sub'));
    const r = await convert({ inputs: [IN], outDir: out, to: 'hvs', workers: 1, keepGoing: true });
    expect(r.files.failed).toBe(2);
    // Files run concurrently: failures come in any order.
    expect(r.failures.map((f) => [f.input, f.code]).sort()).toEqual([
      ['sub/inside-link', 'E_VALIDATION'],
      ['sub/real.bin', 'E_VALIDATION'],
    ]);
    for (const f of r.failures) expect(f.message).toMatch(/is a symbolic link leading outside the output folder/);
    expect(readdirSync(OUTSIDE)).toEqual(['secret.txt']);
    expect(existsSync(join(out, '..x...hvs'))).toBe(true);
  });

  it('an output folder inside the input folder is not read as input; one that contains the input is refused', async () => {
    const IN2 = tmp.path('nest-in');
    mkdirSync(IN2);
    writeFileSync(join(IN2, 'a.bin'), 'a');
    const out = join(IN2, 'out');
    const r = await convert({ inputs: [IN2], outDir: out, to: 'hvs', workers: 1 });
    expect(r.files.converted).toBe(1);
    const again = await convert({ inputs: [IN2], outDir: out, to: 'hvs', workers: 1, resume: true });
    expect(again.nothingToDo).toBe(true);
    await expect(convert({ inputs: [IN2], outDir: tmp.dir, to: 'hvs' })).rejects.toThrow(/contains the input folder/);
    await expect(convert({ inputs: [IN2], outDir: IN2, to: 'hvs' })).rejects.toThrow(ValidationError);
  });

  it('two inputs that would write one output are refused before anything is written', async () => {
    const IN3 = tmp.path('clash-in');
    mkdirSync(IN3);
    writeFileSync(join(IN3, 'a'), 'raw');
    writeFileSync(join(IN3, 'a.hvs'), 'pretends to be a container');
    const out = tmp.path('clash-out');
    await expect(convert({ inputs: [IN3], outDir: out, to: 'hvs' })).rejects.toThrow(/a and a\.hvs would both be written to a\.hvs/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('failures', () => {
  it('a file that changes while it is read fails with E_INPUT_CHANGED and leaves no output', async () => {
    const IN = tmp.path('grow-in');
    mkdirSync(IN);
    writeFileSync(join(IN, 'grow.bin'), sample('random', 4 << 20, 3));
    writeFileSync(join(IN, 'steady.bin'), sample('random', 100_000, 4));
    const out = tmp.path('grow-out');
    let appended = false;
    // Appends on the first progress report of grow.bin: after it was opened, before it was finished.
    const onEvent = (e: ConvertEvent): void => {
      if (e.type === 'progress' && e.entry.rel === 'grow.bin' && !appended) {
        appended = true;
        appendFileSync(join(IN, 'grow.bin'), 'more');
      }
    };
    const r = await convert({ inputs: [IN], outDir: out, to: 'hvs', chunkSize: '64KiB', workers: 1, concurrency: 1, keepGoing: true, onEvent });
    expect(appended).toBe(true);
    expect(r.files).toMatchObject({ converted: 1, failed: 1 });
    expect(r.failures[0]).toMatchObject({ input: 'grow.bin', code: 'E_INPUT_CHANGED' });
    expect(r.failures[0]?.message).toMatch(/changed while it was read: size went from 4194304 to 4194308 bytes/);
    const failed = fileLines(join(out, '.hivestream-manifest.jsonl'), 'failed');
    expect(failed).toMatchObject([{ input: 'grow.bin', error: { code: 'E_INPUT_CHANGED' } }]);
    expect(existsSync(join(out, 'grow.bin.hvs'))).toBe(false);
    expect(partials(out)).toEqual([]);
    // The file is stable now: --resume converts it.
    const again = await convert({ inputs: [IN], outDir: out, to: 'hvs', chunkSize: '64KiB', workers: 1, resume: true });
    expect(again.files).toMatchObject({ converted: 1, alreadyDone: 1, failed: 0 });
  });

  it('without --keep-going the first failure stops new files from starting', async () => {
    const IN = tmp.path('stop-in');
    mkdirSync(IN);
    for (const n of ['a', 'b', 'c', 'd']) writeFileSync(join(IN, `${n}.hvs`), n === 'a' ? 'not a container' : sample('text', 100, 1));
    const r = await convert({ inputs: [IN], outDir: tmp.path('stop-out'), to: 'raw', workers: 1, concurrency: 1 });
    expect(r.files).toMatchObject({ total: 4, failed: 1, converted: 0, remaining: 3 });
    expect(r.failures[0]).toMatchObject({ input: 'a.hvs', code: 'E_FORMAT' });
  });

  it('re-encoding a damaged container fails with its checksum error and leaves no output', async () => {
    const IN = tmp.path('damaged-in');
    mkdirSync(IN);
    writeFileSync(tmp.path('d.bin'), sample('random', 600_000, 8));
    await pack(tmp.path('d.bin'), join(IN, 'bad.hvs'), { chunkSize: '64KiB', workers: 1 });
    const bytes = readFileSync(join(IN, 'bad.hvs'));
    const at = bytes.length - 100_000;
    bytes[at] = (bytes[at] ?? 0) ^ 0x10;
    writeFileSync(join(IN, 'bad.hvs'), bytes);
    const out = tmp.path('damaged-out');
    const r = await convert({ inputs: [IN], outDir: out, to: 'hvs', compression: 'lz4', workers: 1 });
    expect(r.failures).toMatchObject([{ input: 'bad.hvs', code: 'E_CHECKSUM' }]);
    expect(readdirSync(out)).toEqual(['.hivestream-manifest.jsonl']);
  });

  it('CLI --keep-going: exit 15, one line on stderr, the failures listed; containers under other names get .raw', async () => {
    const IN = tmp.path('cli-in');
    mkdirSync(IN);
    writeFileSync(join(IN, 'plain.txt'), 'plain\n');
    const data = sample('mixed', 70_000, 9);
    writeFileSync(join(IN, 'data.bin'), data);
    const packed = tmp.path('packed');
    mkdirSync(packed);
    await pack(join(IN, 'data.bin'), join(packed, 'blob'), { workers: 1 });
    const out = tmp.path('cli-out');
    const r = await runCli(['convert', join(IN, 'plain.txt'), join(packed, 'blob'), '--to', 'raw', '-o', out, '--keep-going']);
    expect(r.code).toBe(15);
    noStack(r.stderr);
    expect(r.stderr).toMatch(/^hivestream: 1 of 2 files failed; first: plain\.txt: not a hivestream container/);
    expect(r.stdout.toString()).toMatch(/failed:\n {2}plain\.txt: E_FORMAT: not a hivestream container/);
    expect(readFileSync(join(out, 'blob.raw')).equals(data)).toBe(true);
    const lines = fileLines(join(out, '.hivestream-manifest.jsonl')).sort((a, b) => a.input.localeCompare(b.input));
    expect(lines).toMatchObject([
      { input: 'blob', output: 'blob.raw', op: 'unpack', status: 'done', bytes: data.length },
      { input: 'plain.txt', output: 'plain.txt.raw', status: 'failed', error: { code: 'E_FORMAT' } },
    ]);
  });
});

describe('settings and manifests', () => {
  const IN = tmp.path('set-in');
  const out = tmp.path('set-out');
  const manifest = join(out, '.hivestream-manifest.jsonl');
  beforeAll(() => {
    mkdirSync(IN);
    for (let i = 0; i < 4; i++) writeFileSync(join(IN, `f${i}`), sample('text', 20_000 + i, i));
  });

  it('--resume refuses other settings, tolerates a torn last line, and redoes an output that went missing', async () => {
    const first = await convert({ inputs: [IN], outDir: out, to: 'hvs', compression: 'lz4', workers: 1 });
    expect(first.files.converted).toBe(4);
    await expect(convert({ inputs: [IN], outDir: out, to: 'hvs', workers: 1, resume: true })).rejects.toThrow(
      /settings differ from the job in .* \(compression was lz4, now none\); use --restart/,
    );
    appendFileSync(manifest, '{"kind":"file","input":"f9","out');
    unlinkSync(join(out, 'f2.hvs'));
    const r = await convert({ inputs: [IN], outDir: out, to: 'hvs', compression: 'lz4', workers: 1, resume: true });
    expect(r.files).toMatchObject({ converted: 1, alreadyDone: 3 });
    // Every line parses again: the torn tail was cut before appending.
    const lines = manifestLines(manifest);
    expect(lines.filter((l) => l.kind === 'job')).toHaveLength(2);
    expect(lines.filter((l) => l.kind === 'file' && l.input === 'f2')).toHaveLength(2);
  });

  it('--restart converts everything again with new settings', async () => {
    const r = await convert({ inputs: [IN], outDir: out, to: 'hvs', workers: 1, restart: true });
    expect(r.files).toMatchObject({ converted: 4, alreadyDone: 0 });
    const lines = manifestLines(manifest);
    expect(lines[0]).toMatchObject({ kind: 'job', compression: 'none', resume: false });
    expect(lines.filter((l) => l.kind === 'job')).toHaveLength(1);
    // --restart where no manifest is yet, and a --manifest among the inputs is not an input.
    const fresh = await convert({ inputs: [IN], outDir: tmp.path('set-fresh'), to: 'hvs', workers: 1, restart: true, manifest: join(IN, 'job.jsonl') });
    expect(fresh.files).toMatchObject({ total: 4, converted: 4 });
    expect(manifestLines(join(IN, 'job.jsonl'))[0]).toMatchObject({ kind: 'job', jobFiles: 4 });
    unlinkSync(join(IN, 'job.jsonl'));
  });

  it('bad arguments get one line and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['convert', IN, '-o', out], /invalid --to: missing: say --to hvs or --to raw/],
      [['convert', IN, '--to', 'raw', '--lz4', '-o', out], /--lz4 and --chunk-size apply to --to hvs only/],
      [['convert', IN, '--to', 'hvs', '-o', out, '--shard', '2/2'], /index 2 \(2\/2\) is not below the shard count 2/],
      [['convert', '-', '--to', 'hvs', '-o', out], /not standard input/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      noStack(r.stderr);
      expect(r.stderr).toMatch(message);
    }
  });
});
