// The resilience controllers wired into the engine: injected worker crashes,
// transient errors and stalls are retried; a dead pool opens the breaker and
// fails the run fast; bad input is never retried.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, CircuitBreaker, CircuitOpenError, HiveError, RetryExhaustedError, TransientError, pack, unpack, verify, writeSample } from '../../dist/index.js';
import { runCli, sample, sha256File, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-resilience-');
const BIG = 256 * 1024 * 1024;
let bigDigest = '';


beforeAll(async () => {
  await writeSample(tmp.path('big.bin'), { profile: 'mixed', size: BIG, seed: 5 });
  bigDigest = await sha256File(tmp.path('big.bin'));
}, 120_000);
afterAll(() => tmp.cleanup());

describe('engine under injected faults', () => {
  it('5% crashes and 5% transient errors: 256 MiB packs and unpacks byte-identical, retries counted', async () => {
    const resilience = { faults: { crash: 0.05, error: 0.05, seed: 11 } };
    const p = await pack(tmp.path('big.bin'), tmp.path('big.hvs'), { compression: 'lz4', resilience });
    expect(p.resilience.faultsInjected).toBeGreaterThan(0);
    expect(p.resilience.retries).toBe(p.resilience.faultsInjected);
    expect(p.resilience.crashes).toBeGreaterThan(0);
    expect(p.resilience.transientErrors).toBeGreaterThan(0);
    const u = await unpack(tmp.path('big.hvs'), tmp.path('big.out'), { resilience: { faults: { crash: 0.05, error: 0.05, seed: 12 } } });
    expect(u.resilience.retries).toBeGreaterThan(0);
    expect(u.rootDigest).toBe(p.rootDigest);
    expect(await sha256File(tmp.path('big.out'))).toBe(bigDigest);
  }, 180_000);

  it('a stalled task is cancelled at its deadline and retried', async () => {
    const data = sample('text', 16 * 1024 * 1024, 3);
    writeFileSync(tmp.path('stall.bin'), data);
    // Four slots make two-chunk tasks: eight task attempts at least, and with
    // seed 2 the draws include stalls.
    const p = await pack(tmp.path('stall.bin'), tmp.path('stall.hvs'), {
      chunkSize: 1024 * 1024,
      ringSlots: 4,
      resilience: { taskTimeoutMs: 400, faults: { stall: 0.4, seed: 2, stallMs: 5000 } },
    });
    expect(p.resilience.faultsInjected).toBeGreaterThan(0);
    expect(p.resilience.timeouts).toBeGreaterThan(0);
    const restored = tmp.path('stall.out');
    await unpack(tmp.path('stall.hvs'), restored);
    expect(readFileSync(restored).equals(data)).toBe(true);
  }, 60_000);

  it('every task failing: CircuitOpenError, quickly, and no output file', async () => {
    writeFileSync(tmp.path('small.bin'), sample('random', 40 * 65536, 4));
    const started = Date.now();
    const err = await pack(tmp.path('small.bin'), tmp.path('never.hvs'), { chunkSize: 65536, resilience: { faults: { error: 1 }, patienceMs: 1000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CircuitOpenError);
    // The resilience library's class, and a HiveError with the CLI's exit code.
    expect(err).toBeInstanceOf(HiveError);
    expect(err).toMatchObject({ code: 'E_CIRCUIT_OPEN', exitCode: 8 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(tmp.path('never.hvs'))).toBe(false);
  }, 30_000);

  it('retries run out: RetryExhaustedError, a HiveError, with the last TransientError as cause', async () => {
    const resilience = { faults: { error: 1 }, retry: { maxAttempts: 2 }, breaker: { failureThreshold: Infinity, failureRateThreshold: null } };
    const err = await pack(tmp.path('small.bin'), tmp.path('never3.hvs'), { chunkSize: 65536, resilience }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect(err).toBeInstanceOf(HiveError);
    expect(err).toMatchObject({ code: 'E_RETRY_EXHAUSTED', exitCode: 9, attempts: 2 });
    expect((err as RetryExhaustedError).cause).toBeInstanceOf(TransientError);
    expect(existsSync(tmp.path('never3.hvs'))).toBe(false);
  }, 30_000);

  it('the CLI exits non-zero with one line when every task fails', async () => {
    const r = await runCli(['pack', tmp.path('small.bin'), '-o', tmp.path('never2.hvs'), '--inject-faults', 'crash=0,error=1', '--breaker-patience', '500']);
    expect(r.code).toBe(8);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^hivestream: circuit breaker open/);
    expect(existsSync(tmp.path('never2.hvs'))).toBe(false);
  }, 30_000);

  it('an open breaker holds the run back and it resumes after a successful half-open probe', async () => {
    const breaker = new CircuitBreaker({ openMs: 300, successThreshold: 1 });
    for (let i = 0; i < 5; i++) await breaker.execute(() => Promise.reject(new Error('dependency down'))).catch(() => undefined);
    expect(breaker.state).toBe('open');
    const started = Date.now();
    const p = await pack(tmp.path('small.bin'), tmp.path('resumed.hvs'), { chunkSize: 65536, resilience: { breaker, patienceMs: 5000 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(breaker.state).toBe('closed');
    expect(p.chunks).toBe(40);
  }, 30_000);

  it('bad input is never retried and does not trip the breaker', async () => {
    const bytes = readFileSync(tmp.path('resumed.hvs'));
    bytes[bytes.length - 1000] = (bytes[bytes.length - 1000] ?? 0) ^ 1;
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const err = await verify([bytes], { resilience: { breaker } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().failures).toBe(0);
  });
});
