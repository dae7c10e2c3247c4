// hivestream process from the command line: pipes, outputs, the report, and
// one clear line with a distinct exit code for each way it can fail.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-process-cli-');
afterAll(() => tmp.cleanup());

const faults = new URL('./modules/faults.mjs', import.meta.url).pathname;
const upper = tmp.path('upper.mjs');
writeFileSync(upper, "export default (bytes) => bytes.toString('latin1').toUpperCase();\n");
const data = sample('text', 300_000, 8);
const input = tmp.path('in.jsonl');
writeFileSync(input, data);
const shouted = Buffer.from(data.toString('latin1').toUpperCase(), 'latin1');

function oneLine(stderr: string, pattern: RegExp): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr.trim()).toMatch(pattern);
}

describe('hivestream process', () => {
  it('stdin to stdout, results in order', async () => {
    const r = await runCli(['process', '-', '--module', upper, '--boundary', 'newline', '-c', '64KiB', '-o', '-', '--quiet'], data);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.equals(shouted)).toBe(true);
  });

  it('a file to a file, with a --json report; to a packed container that verifies and processes back', async () => {
    const out = tmp.path('out.txt');
    const r = await runCli(['process', input, '-m', upper, '-o', out, '-c', '64KiB', '--workers', '2', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ operation: 'process', input: 'raw', chunks: 5, bytes: data.length, resultBytes: data.length, workers: 2, output: null });
    expect(readFileSync(out).equals(shouted)).toBe(true);
    const packed = tmp.path('out.hvs');
    const p = await runCli(['process', input, '-m', upper, '-o', packed, '--pack', '--lz4', '--boundary', 'newline', '-c', '64KiB', '--quiet']);
    expect(p.code).toBe(0);
    expect((await runCli(['verify', packed])).code).toBe(0);
    const back = await runCli(['process', packed, '-m', upper, '--boundary', 'newline', '-o', '-', '--quiet']);
    expect(back.code).toBe(0);
    expect(back.stdout.equals(shouted)).toBe(true);
  });

  it('pack --boundary newline: record-aligned chunks, recorded in the header, restored exactly', async () => {
    const packed = tmp.path('lines.hvs');
    const p = await runCli(['pack', input, '-o', packed, '--boundary', 'newline', '-c', '4KiB', '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout.toString())).toMatchObject({ boundary: 10, bytes: data.length });
    const i = await runCli(['inspect', packed, '--json']);
    expect(JSON.parse(i.stdout.toString())).toMatchObject({ complete: true, metadata: { 'hivestream.boundary': '0a' } });
    const u = await runCli(['unpack', packed, '-o', '-', '--quiet']);
    expect(u.stdout.equals(data)).toBe(true);
  });

  it('without an output: runs, drops the results, reports', async () => {
    const r = await runCli(['process', input, '-m', upper]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^processed .*in\.jsonl\n/);
    expect(r.stdout.toString()).toContain('1 with a result');
  });

  it('rehearses failure: crashed workers and transient errors are retried, the output is still exact', async () => {
    const out = tmp.path('faults.txt');
    // Seed 3 draws crash, crash, then no fault: whatever the tasks, the first ones are hit.
    const r = await runCli(['process', input, '-m', upper, '-o', out, '-c', '4KiB', '--inject-faults', 'crash=0.2,error=0.2', '--fault-seed', '3', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.toString()) as { resilience: { faultsInjected: number; retries: number } };
    expect(report.resilience.faultsInjected).toBeGreaterThan(0);
    expect(report.resilience.retries).toBeGreaterThan(0);
    expect(readFileSync(out).equals(shouted)).toBe(true);
  });

  it('the function throws: exit 22, the chunk and its offset named, no output left', async () => {
    const out = tmp.path('never.txt');
    const r = await runCli(['process', input, '-m', faults, '-e', 'throws', '--params', '{"at":2,"echo":true}', '-c', '64KiB', '-o', out]);
    expect(r.code).toBe(22);
    oneLine(r.stderr, /^hivestream: the function threw on chunk 2 \(stream offset 131072\): no good: chunk 2$/);
    expect(existsSync(out)).toBe(false);
  });

  it('runs past --task-timeout: exit 22, a timeout named', async () => {
    const r = await runCli(['process', input, '-m', faults, '-e', 'slow', '--params', '{"at":1}', '-c', '64KiB', '--task-timeout', '150']);
    expect(r.code).toBe(22);
    oneLine(r.stderr, /ran past its deadline on chunk 1 .*timed out after 150 ms/);
  });

  it.each([
    [['process', input], 2, /invalid --module: missing/],
    [['process', input, '-m', tmp.path('missing.mjs')], 2, /invalid module: cannot load .*missing\.mjs: no such file/],
    [['process', input, '-m', faults, '-e', 'nope'], 2, /has no function export "nope"/],
    [['process', input, '-m', upper, '--params', '{oops'], 2, /invalid --params: not JSON/],
    [['process', input, '-m', upper, '--boundary', 'comma'], 2, /invalid boundary/],
    [['process', input, '-m', upper, '--lz4', '-o', tmp.path('x')], 2, /add --pack/],
    [['process', input, '-m', upper, '--input', 'container'], 3, /not a hivestream container/],
    [['process', input, '-m', upper, '--boundary', 'newline', '-c', '4KiB', '--max-record', '4KiB'], 6, /record without a delimiter .* over the limit of 4096/],
    [['process', tmp.path('absent.jsonl'), '-m', upper], 7, /no such file or directory/],
  ])('%j: exit %i with one line', async (args, code, pattern) => {
    if (args.includes('--max-record')) writeFileSync(input.replace('in.jsonl', 'long.txt'), Buffer.alloc(10_000, 0x61));
    const r = await runCli(args.includes('--max-record') ? args.map((a) => (a === input ? input.replace('in.jsonl', 'long.txt') : a)) : args);
    expect(r.code).toBe(code);
    oneLine(r.stderr, pattern);
  });

  it('has --help', async () => {
    const r = await runCli(['process', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^usage: hivestream process/);
  });
});
