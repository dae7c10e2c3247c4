import { describe, expect, it } from 'vitest';
import {
  AbortError,
  CircuitOpenError,
  FakeClock,
  Retry,
  RetryExhaustedError,
  TimeoutError,
  ValidationError,
  computeDelay,
  seededRandom,
  type Jitter,
  type RetryOptions,
} from './index.js';
import { BadRequest, deferred, flush, settle } from './test-helpers.js';

/** An operation that fails `failures` times, then returns 'done'; counts its calls. */
function flaky(failures: number, makeError = (n: number): Error => new Error(`fail ${n}`)) {
  const op = {
    calls: 0,
    signals: [] as AbortSignal[],
    fn: (signal: AbortSignal): Promise<string> => {
      op.calls++;
      op.signals.push(signal);
      return op.calls <= failures ? Promise.reject(makeError(op.calls)) : Promise.resolve('done');
    },
  };
  return op;
}

function retry(opts: RetryOptions = {}): { clock: FakeClock; r: Retry; log: string[] } {
  const clock = new FakeClock();
  const r = new Retry({ clock, jitter: 'none', ...opts });
  const log: string[] = [];
  r.on('retry', (e) => log.push(`retry #${e.attempt} ${e.delayMs}ms ${(e.error as Error).message}`));
  r.on('giveUp', (e) => log.push(`giveUp ${e.reason} after ${e.attempts}: ${(e.error as Error).message}`));
  r.on('success', (e) => log.push(`success after ${e.attempts}`));
  return { clock, r, log };
}

describe('Retry', () => {
  it('returns the first success without waiting', async () => {
    const { r, log, clock } = retry();
    await expect(r.execute(flaky(0).fn)).resolves.toBe('done');
    expect(log).toEqual(['success after 1']);
    expect(clock.now()).toBe(0);
  });

  it('retries with the default backoff (100 ms, x2) and reports each attempt', async () => {
    const { r, log, clock } = retry();
    const op = flaky(2);
    const p = r.execute(op.fn);
    await clock.runAllAsync();
    await expect(p).resolves.toBe('done');
    expect(op.calls).toBe(3);
    expect(clock.now()).toBe(300);
    expect(log).toEqual(['retry #1 100ms fail 1', 'retry #2 200ms fail 2', 'success after 3']);
    expect(r.stats()).toMatchObject({ calls: 1, successes: 1, recovered: 1, retries: 2 });
  });

  it('waits exactly the delay before the next attempt', async () => {
    const { r, clock } = retry({ baseDelay: 1000 });
    const op = flaky(1);
    const p = r.execute(op.fn);
    await clock.advanceAsync(999);
    expect(op.calls).toBe(1);
    await clock.advanceAsync(1);
    expect(op.calls).toBe(2);
    await expect(p).resolves.toBe('done');
  });

  it('throws RetryExhaustedError with the attempts and the last cause after maxAttempts', async () => {
    const { r, log, clock } = retry({ maxAttempts: 3, name: 'upload chunk 7' });
    const op = flaky(10);
    const p = settle(r.execute(op.fn));
    await clock.runAllAsync();
    const err = await p;
    expect(err).toBeInstanceOf(RetryExhaustedError);
    const ex = err as RetryExhaustedError;
    expect(ex.attempts).toBe(3);
    expect((ex.cause as Error).message).toBe('fail 3');
    expect(ex.message).toBe('upload chunk 7 failed after 3 attempts: fail 3');
    expect(op.calls).toBe(3);
    expect(log.at(-1)).toBe('giveUp exhausted after 3: fail 3');
    expect(r.stats().exhausted).toBe(1);
  });

  it.each([
    ['an AbortError', new AbortError()],
    ['a CircuitOpenError', new CircuitOpenError()],
  ])('rethrows %s as it is, without retrying', async (_, error) => {
    const { r, log } = retry();
    const op = flaky(1, () => error);
    await expect(r.execute(op.fn)).rejects.toBe(error);
    expect(op.calls).toBe(1);
    expect(log).toEqual([`giveUp not-retryable after 1: ${error.message}`]);
  });

  it.each([
    ['a BadRequest', new BadRequest('bad')],
    ['a ValidationError', new ValidationError('record', 'bad')],
  ])('retries %s by default: what is bad input is the caller\'s to say', async (_, error) => {
    const { r, clock } = retry();
    const op = flaky(1, () => error);
    const p = r.execute(op.fn);
    await clock.runAllAsync();
    await expect(p).resolves.toBe('done');
    expect(op.calls).toBe(2);
  });

  it('retries timeouts', async () => {
    const { r, clock } = retry();
    const op = flaky(1, () => new TimeoutError(50));
    const p = r.execute(op.fn);
    await clock.runAllAsync();
    await expect(p).resolves.toBe('done');
  });

  it('asks a custom retryable predicate, with the attempt number', async () => {
    const asked: number[] = [];
    const { r, clock } = retry({
      maxAttempts: 10,
      retryable: (_err, attempt) => {
        asked.push(attempt);
        return attempt < 2;
      },
    });
    const op = flaky(10);
    const p = settle(r.execute(op.fn));
    await clock.runAllAsync();
    expect(((await p) as Error).message).toBe('fail 2');
    expect(asked).toEqual([1, 2]);
  });

  it('counts a synchronous throw as a failed attempt', async () => {
    const { r, clock } = retry();
    let calls = 0;
    const p = r.execute(() => {
      if (++calls === 1) throw new Error('sync');
      return Promise.resolve('ok');
    });
    await clock.runAllAsync();
    await expect(p).resolves.toBe('ok');
  });

  it.each(['none', 'full', 'equal', 'decorrelated'] as Jitter[])(
    'waits the delays computeDelay gives for %s jitter with the same seed',
    async (jitter) => {
      const opts = { baseDelay: 50, maxDelay: 2000, multiplier: 3, jitter };
      const { r, clock } = retry({ ...opts, maxAttempts: 6, random: seededRandom(99) });
      const delays: number[] = [];
      r.on('retry', (e) => delays.push(e.delayMs));
      const p = settle(r.execute(flaky(10).fn));
      await clock.runAllAsync();
      await p;
      const ref = seededRandom(99);
      const want: number[] = [];
      for (let n = 1; n <= 5; n++) want.push(computeDelay(n, opts, ref, want.at(-1)));
      expect(delays).toEqual(want);
      expect(clock.now()).toBeCloseTo(want.reduce((a, b) => a + b, 0), 6);
    },
  );
});

describe('Retry and AbortSignal', () => {
  it('cancels a pending wait at once: AbortError, no timer left, no more attempts', async () => {
    const { r, clock, log } = retry({ baseDelay: 30_000 });
    const op = flaky(10);
    const ac = new AbortController();
    const p = settle(r.execute(op.fn, ac.signal));
    await flush();
    expect(op.calls).toBe(1);
    expect(clock.pending).toBe(1);
    ac.abort(new Error('shutdown'));
    const err = await p;
    expect(err).toBeInstanceOf(AbortError);
    expect(((err as AbortError).cause as Error).message).toBe('shutdown');
    expect(clock.now()).toBe(0);
    expect(clock.pending).toBe(0);
    await clock.runAllAsync();
    expect(op.calls).toBe(1);
    expect(log.at(-1)).toMatch(/^giveUp aborted after 1/);
    expect(r.stats().aborted).toBe(1);
  });

  it('passes the caller’s signal to each attempt', async () => {
    const { r, clock } = retry();
    const op = flaky(1);
    const ac = new AbortController();
    const p = r.execute(op.fn, ac.signal);
    await clock.runAllAsync();
    await p;
    expect(op.signals).toEqual([ac.signal, ac.signal]);
  });

  it('does not start when already aborted', async () => {
    const { r } = retry();
    const op = flaky(0);
    await expect(r.execute(op.fn, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
    expect(op.calls).toBe(0);
  });

  it('does not retry an attempt that failed because the caller aborted', async () => {
    const { r } = retry();
    const ac = new AbortController();
    const d = deferred();
    let calls = 0;
    const p = settle(
      r.execute(() => {
        calls++;
        return d.promise;
      }, ac.signal),
    );
    ac.abort();
    d.reject(new Error('connection reset'));
    expect(await p).toBeInstanceOf(AbortError);
    expect(calls).toBe(1);
  });
});

describe('Retry options', () => {
  it('has the original defaults', () => {
    const r = new Retry();
    expect(r.maxAttempts).toBe(3);
    expect(r.backoff).toMatchObject({ baseDelay: 100, maxDelay: 30_000, multiplier: 2, jitter: 'full' });
  });

  it('raises the default maxDelay to a larger baseDelay rather than failing', () => {
    expect(new Retry({ baseDelay: 60_000 }).backoff.maxDelay).toBe(60_000);
  });

  it.each([
    [{ maxAttempts: 0 }, 'retry.maxAttempts'],
    [{ maxAttempts: 2.5 }, 'retry.maxAttempts'],
    [{ baseDelay: -1 }, 'retry.baseDelay'],
    [{ baseDelay: 10, maxDelay: 5 }, 'retry.maxDelay'],
    [{ multiplier: 0 }, 'retry.multiplier'],
    [{ jitter: 'lots' as Jitter }, 'retry.jitter'],
  ] as [RetryOptions, string][])('rejects %o', (opts, field) => {
    let err: unknown;
    try {
      new Retry(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
  });
});
