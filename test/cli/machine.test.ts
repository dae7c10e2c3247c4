// The CLI for pods and pipelines: NDJSON progress on stderr, failures as one
// JSON object with --json, --json the same on every command, and the notice
// of a slower back end (here: liblz4 missing) with its reason and fix.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-cli-machine-');
// A calibration cache of this test's own: the environment below changes which back ends load.
const CACHE = { HIVESTREAM_CACHE_DIR: tmp.path('cache') };
const BIG = tmp.path('big.bin');
const SIZE = 48 * 1024 * 1024 + 12_345;

beforeAll(async () => {
  const g = await runCli(['gen', '--size', String(SIZE), '--profile', 'mixed', '--seed', '3', '-o', BIG, '--json']);
  expect(g.code).toBe(0);
  expect(JSON.parse(g.stdout.toString())).toEqual({ operation: 'gen', output: BIG, bytes: SIZE, profile: 'mixed', seed: 3 });
});
afterAll(() => tmp.cleanup());

type Json = Record<string, unknown>;
const lines = (text: string): Json[] =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

describe('--progress=json', () => {
  it('pack BIG -o out --progress=json: every stderr line is an event, with bytes done, MB/s and ETA', async () => {
    const r = await runCli(['pack', BIG, '-o', tmp.path('big.hvs'), '--progress=json', '--lz4', '-c', '256KiB'], undefined, CACHE);
    expect(r.code).toBe(0);
    const events = lines(r.stderr);
    expect(events[0]).toMatchObject({ type: 'start', operation: 'pack' });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (const e of progress) {
      expect(e).toMatchObject({ operation: 'pack', bytesTotal: SIZE });
      expect(typeof e.bytesDone).toBe('number');
      expect(typeof e.mbPerSec).toBe('number');
      expect(e).toHaveProperty('etaSeconds');
      expect(typeof e.time).toBe('string');
    }
    expect(events.at(-1)).toMatchObject({ type: 'end', operation: 'pack', ok: true, bytesDone: SIZE, bytesTotal: SIZE, percent: 100, etaSeconds: 0 });
    // The report still goes to stdout, untouched by the events.
    expect(r.stdout.toString()).toMatch(/^packed /);
  });

  it('a failure keeps stderr NDJSON: the end event carries the error, and the error line is an event too', async () => {
    const missing = await runCli(['verify', tmp.path('missing.hvs'), '--progress=json'], undefined, CACHE);
    expect(missing.code).toBe(7);
    expect(lines(missing.stderr).find((e) => e.type === 'error')).toMatchObject({ message: expect.stringMatching(/^cannot open /) as unknown, error: { code: 'E_IO', exitCode: 7 } });
    const badArgs = await runCli(['pack', BIG, '--bogus', '--progress', 'json'], undefined, CACHE);
    expect(badArgs.code).toBe(2);
    expect(lines(badArgs.stderr)).toMatchObject([{ type: 'error', error: { code: 'E_VALIDATION', exitCode: 2 } }]);
  });

  it('plain: a closing line for logs; none and auto (not a terminal): nothing on stderr', async () => {
    const plain = await runCli(['verify', tmp.path('big.hvs'), '--progress=plain', '-q'], undefined, CACHE);
    expect(plain.stderr).toMatch(/^verifying: done, [\d.]+ MiB of [\d.]+ MiB \(100%\), [\d.]+ MB\/s, ETA 0s, \d+ chunks\n$/);
    for (const mode of ['none', 'auto']) expect((await runCli(['verify', tmp.path('big.hvs'), `--progress=${mode}`], undefined, CACHE)).stderr).toBe('');
  });

  it('convert: batch events with files done of total', async () => {
    writeFileSync(tmp.path('one.bin'), sample('text', 100_000, 1));
    writeFileSync(tmp.path('two.bin'), sample('text', 200_000, 2));
    const r = await runCli(['convert', tmp.path('one.bin'), tmp.path('two.bin'), '--to', 'hvs', '-o', tmp.path('conv'), '--progress=json', '--json'], undefined, CACHE);
    expect(r.code).toBe(0);
    const events = lines(r.stderr);
    expect(events.at(-1)).toMatchObject({ type: 'end', operation: 'convert', ok: true, filesDone: 2, filesTotal: 2, bytesDone: 300_000 });
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ operation: 'convert', files: { converted: 2 } });
  });
});

describe('--json failures', () => {
  it('a corrupted container: one JSON object on stdout with code, message, exitCode and where; the exit code matches', async () => {
    const bytes = readFileSync(tmp.path('big.hvs'));
    const at = bytes.length - 300_000;
    bytes[at] = (bytes[at] ?? 0) ^ 0x40;
    writeFileSync(tmp.path('bad.hvs'), bytes);
    const r = await runCli(['verify', tmp.path('bad.hvs'), '--json'], undefined, CACHE);
    expect(r.code).toBe(4);
    const out = r.stdout.toString();
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    const { error } = JSON.parse(out) as { error: Json };
    expect(error).toMatchObject({ code: 'E_CHECKSUM', exitCode: 4, name: 'ChecksumMismatchError' });
    expect(typeof error.sequence).toBe('number');
    expect(typeof error.offset).toBe('number');
    expect(error.message).toMatch(/^checksum mismatch in chunk \d+/);
    // People still get their one line on stderr.
    expect(r.stderr).toBe(`hivestream: ${String(error.message)}\n`);
  });

  it('bad arguments, an unknown option, a missing file: E_VALIDATION 2, E_VALIDATION 2, E_IO 7', async () => {
    const cases: Array<[string[], string, number]> = [
      [['pack', BIG, '-o', tmp.path('x.hvs'), '--chunk-size', '1', '--json'], 'E_VALIDATION', 2],
      [['pack', BIG, '--bogus', '--json'], 'E_VALIDATION', 2],
      [['verify', tmp.path('missing.hvs'), '--json'], 'E_IO', 7],
      [['manifest', 'merge', tmp.path('nothing.jsonl'), tmp.path('nothing2.jsonl'), '--json'], 'E_IO', 7],
    ];
    for (const [argv, code, exit] of cases) {
      const r = await runCli(argv, undefined, CACHE);
      expect(r.code).toBe(exit);
      expect(JSON.parse(r.stdout.toString())).toMatchObject({ error: { code, exitCode: exit } });
    }
  });

  it('when standard output carries the data (-o -), the error object goes to stderr', async () => {
    const r = await runCli(['unpack', tmp.path('bad.hvs'), '-o', '-', '--json'], undefined, CACHE);
    expect(r.code).toBe(4);
    const errLines = r.stderr.trimEnd().split('\n');
    expect(JSON.parse(errLines.at(-1) ?? '')).toMatchObject({ error: { code: 'E_CHECKSUM', exitCode: 4 } });
    expect(r.stdout.toString()).not.toContain('"error"');
  });

  it('convert with failures: one object, the error with the report inside', async () => {
    writeFileSync(tmp.path('fake.hvs'), 'not a container');
    const r = await runCli(['convert', tmp.path('fake.hvs'), '--to', 'raw', '-o', tmp.path('conv-bad'), '--json'], undefined, CACHE);
    expect(r.code).toBe(15);
    const out = r.stdout.toString();
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(out)).toMatchObject({ error: { code: 'E_BATCH_INCOMPLETE', exitCode: 15, report: { operation: 'convert', files: { failed: 1 } } } });
  });
});

describe('--json on every command', () => {
  it('each command with a report prints exactly one JSON object on stdout', async () => {
    const runs: string[][] = [
      ['pack', BIG, '-o', tmp.path('j.hvs'), '--json'],
      ['unpack', tmp.path('j.hvs'), '-o', tmp.path('j.out'), '--json'],
      ['verify', tmp.path('j.hvs'), '--json'],
      ['inspect', tmp.path('j.hvs'), '--json'],
      ['gen', '--size', '1000', '-o', tmp.path('g.bin'), '--json'],
      ['demo', '--size', '1MiB', '--json'],
    ];
    for (const argv of runs) {
      const r = await runCli(argv, undefined, CACHE);
      expect(r.code, argv.join(' ')).toBe(0);
      const out = r.stdout.toString();
      expect(out.trimEnd().split('\n'), argv[0]).toHaveLength(1);
      expect(typeof JSON.parse(out), argv[0]).toBe('object');
    }
  });

  it('bench: --json takes no value (the old form gets a hint toward --json-out FILE)', async () => {
    const r = await runCli(['bench', 'compare', '--json', tmp.path('out.json')], undefined, CACHE);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ error: { code: 'E_VALIDATION', message: expect.stringContaining('--json-out FILE') as unknown } });
  });
});

describe('a slower back end than the machine could have: liblz4 missing', () => {
  const noLz4 = { ...CACHE, HIVESTREAM_LIBLZ4: '/nonexistent/liblz4.so.1' };

  it('says so once on stderr, with the reason and the fix; the report carries it', async () => {
    const r = await runCli(['pack', BIG, '-o', tmp.path('f.hvs'), '--lz4', '--json'], undefined, noLz4);
    expect(r.code).toBe(0);
    const notice = r.stderr.trimEnd().split('\n');
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatch(/^hivestream: running LZ4 on lz4-napi instead of the native addon, slower than this machine allows \(liblz4 not loaded: \/nonexistent\/liblz4\.so\.1: cannot open shared object file.*\); fix: install liblz4 \(Debian\/Ubuntu: apt-get install liblz4-1;.*HIVESTREAM_QUIET_FALLBACK=1 hides this\)$/);
    const report = JSON.parse(r.stdout.toString()) as { lz4Backend: string; fallbacks: Json[]; nativeAddon: Json };
    expect(report.lz4Backend).toBe('lz4-napi');
    expect(report.fallbacks).toEqual([{ component: 'lz4', using: 'lz4-napi', reason: expect.stringMatching(/^liblz4 not loaded: /) as unknown, fix: expect.stringMatching(/^install liblz4/) as unknown }]);
    expect(report.nativeAddon).toMatchObject({ lz4: false });
  });

  it('HIVESTREAM_QUIET_FALLBACK=1 silences it; --progress=json makes it an event; HIVESTREAM_LIBLZ4=none is a choice, not a fallback', async () => {
    const quiet = await runCli(['pack', BIG, '-o', tmp.path('f.hvs'), '--lz4', '-q'], undefined, { ...noLz4, HIVESTREAM_QUIET_FALLBACK: '1' });
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    const json = await runCli(['pack', BIG, '-o', tmp.path('f.hvs'), '--lz4', '-q', '--progress=json'], undefined, noLz4);
    const events = lines(json.stderr);
    expect(events.find((e) => e.type === 'fallback')).toMatchObject({ fallbacks: [{ component: 'lz4', using: 'lz4-napi' }] });
    const chosen = await runCli(['pack', BIG, '-o', tmp.path('f.hvs'), '--lz4', '-q'], undefined, { ...CACHE, HIVESTREAM_LIBLZ4: 'none' });
    expect([chosen.code, chosen.stderr]).toEqual([0, '']);
  });

  it('the library: metrics().fallbacks and the report name it; nothing is printed', () => {
    const url = pathToFileURL(`${ROOT}dist/index.js`).href;
    const code = `
      const { pack, metrics } = await import(${JSON.stringify(url)});
      const r = await pack(new Uint8Array(300000), ${JSON.stringify(tmp.path('lib.hvs'))}, { compression: 'lz4', workers: 1 });
      console.log(JSON.stringify({ report: r.fallbacks, metrics: metrics().fallbacks }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, ...noLz4 }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { report: Json[]; metrics: Json[] };
    expect(out.metrics).toEqual(out.report);
    expect(out.metrics).toMatchObject([{ component: 'lz4', using: 'lz4-napi' }]);
  });
});
