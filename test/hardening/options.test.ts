// Every valid option combination works: ring memory is the engine's budget
// (slots are capped by it, not chunk size x workers), durations of any length
// mean what they say (Node's timers cap at 2^31-1 ms; longer waits are
// chained), and what can never work is a ValidationError (exit 2).
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, ValidationError, pack, systemClock, unpack, verify } from '../../dist/index.js';
import { runCli, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-options-');
afterAll(() => tmp.cleanup());

describe('option combinations that used to crash', () => {
  it('verify of a 1-byte container declaring 64 MiB chunks, with 32 workers', async () => {
    const path = tmp.path('one.hvs');
    await pack(Uint8Array.of(7), path, { chunkSize: '64MiB' });
    const r = await runCli(['verify', path, '-w', '32', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('pack -c 64MiB --lz4 -w 32 from a stream (slots sized by the budget), then verify', async () => {
    const path = tmp.path('big-chunks.hvs');
    const r = await runCli(['pack', '-', '-o', path, '-c', '64MiB', '--lz4', '-w', '32', '-q'], sample('text', 3 << 20, 5));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await runCli(['verify', path, '-w', '32', '-q'])).code).toBe(0);
  });

  it('an impossible combination is a ValidationError naming the options (exit 2)', async () => {
    const r = await runCli(['pack', '-', '-o', tmp.path('never.hvs'), '-c', '64MiB'], Uint8Array.of(1, 2, 3), { HIVESTREAM_ENGINE_MEMORY: '16MiB' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/chunk.*64\.0 MiB.*16\.0 MiB of ring memory/);
  });

  const engines = [new Engine({ threads: 1 }), new Engine({ threads: 32 })];
  afterAll(async () => {
    for (const e of engines) await e.close();
  });
  const data = sample('mixed', 300_000, 9);
  const file = tmp.path('matrix.bin');
  writeFileSync(file, data);
  const sources = {
    bytes: () => data,
    file: () => file,
    stream: () => Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]),
  };
  const cases = [];
  for (const threads of [1, 32]) for (const chunkSize of ['4KiB', '64MiB']) for (const compression of ['none', 'lz4'] as const) for (const source of Object.keys(sources)) cases.push({ threads, chunkSize, compression, source });
  it.each(cases)('pack, verify, unpack: $threads threads, $chunkSize chunks, $compression, from $source', async ({ threads, chunkSize, compression, source }) => {
    const engine = engines[threads === 1 ? 0 : 1];
    const out = tmp.path(`m-${threads}-${chunkSize}-${compression}-${source}.hvs`);
    await pack(sources[source as keyof typeof sources](), out, { engine, chunkSize, compression, workers: threads });
    await expect(verify(out, { engine })).resolves.toMatchObject({ bytes: data.length });
    const back = `${out}.raw`;
    await unpack(Readable.from([readFileSync(out)]), back, { engine });
    expect(readFileSync(back).equals(data)).toBe(true);
  });
});

describe('durations of any length', () => {
  it('a wait past 2^31-1 ms does not fire early, and can be cleared', async () => {
    let fired = false;
    const h = systemClock.setTimeout(() => (fired = true), 2 ** 31 + 1000);
    await new Promise((r) => setTimeout(r, 50));
    systemClock.clearTimeout(h);
    expect(fired).toBe(false);
  });

  const big = tmp.path('20m.bin');
  writeFileSync(big, sample('random', 20 << 20, 3));

  it('--task-timeout 3000000000 is a long deadline, not 1 ms', async () => {
    const r = await runCli(['pack', big, '-o', tmp.path('tt.hvs'), '-w', '2', '-c', '1MiB', '--task-timeout', '3000000000', '--json']);
    expect(r.stderr).not.toMatch(/TimeoutOverflowWarning/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ resilience: { timeouts: 0 } });
  });

  it('--breaker-patience 3000000000 is accepted as a long patience, not 1 ms', async () => {
    const r = await runCli(['pack', big, '-o', tmp.path('bp.hvs'), '-w', '2', '--breaker-patience', '3000000000', '--json']);
    expect(r.stderr).not.toMatch(/TimeoutOverflowWarning/);
    expect(r.code).toBe(0);
  });

  it('a patience of 3000000000 ms waits for the breaker to recover instead of failing at once', async () => {
    // Seeded faults that open the breaker; retries generous enough that no
    // task runs out of attempts (which attempt meets which fault depends on
    // timing), so only the patience decides.
    const input = tmp.path('100m.bin');
    writeFileSync(input, sample('random', 100_000_000, 4));
    const e = new Engine({ threads: 2 });
    try {
      const r = await pack(input, tmp.path('bp2.hvs'), {
        engine: e,
        resilience: { faults: { error: 0.7, seed: 2 }, retry: { maxAttempts: 100, baseDelay: 1, maxDelay: 20 }, patienceMs: 3_000_000_000 },
      });
      expect(r.resilience.breakerOpened).toBeGreaterThanOrEqual(1);
      expect((await verify(tmp.path('bp2.hvs'), { engine: e })).bytes).toBe(100_000_000);
    } finally {
      await e.close();
    }
  });

  it.each([
    ['--task-timeout', '0'],
    ['--task-timeout', '99999999999999999999'],
    ['--breaker-patience', '1.5'],
    ['--task-timeout', '-5'],
  ])('refuses %s %s with exit 2', async (flag, value) => {
    const r = await runCli(['pack', big, '-o', tmp.path('x.hvs'), `${flag}=${value}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^hivestream: invalid ${flag}`));
  });

  it('the library refuses nonsense durations with ValidationError', async () => {
    await expect(pack(Uint8Array.of(1), tmp.path('y.hvs'), { resilience: { taskTimeoutMs: 0 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(pack(Uint8Array.of(1), tmp.path('y.hvs'), { resilience: { patienceMs: Number.NaN } })).rejects.toBeInstanceOf(ValidationError);
    expect(() => new Engine({ resilience: { taskTimeoutMs: -1 } })).toThrow(ValidationError);
  });
});
