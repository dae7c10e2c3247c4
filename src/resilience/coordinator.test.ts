import { describe, expect, it } from 'vitest';
import {
  AbortError,
  CircuitBreaker,
  CircuitOpenError,
  ErrorRecoveryCoordinator,
  FakeClock,
  RetryExhaustedError,
  TimeoutError,
  ValidationError,
  type ErrorRecoveryOptions,
} from './index.js';
import { BadRequest, deferred, flush, isBadRequest, settle } from './test-helpers.js';

function coordinator(opts: ErrorRecoveryOptions = {}): { clock: FakeClock; c: ErrorRecoveryCoordinator } {
  const clock = new FakeClock();
  const c = new ErrorRecoveryCoordinator({
    clock,
    breaker: { failureThreshold: 5, failureRateThreshold: null, openMs: 10_000, successThreshold: 1 },
    retry: { maxAttempts: 3, baseDelay: 100, jitter: 'none' },
    ...opts,
  });
  return { clock, c };
}

/**
 * Lets a call play out: fires timers one at a time, only until the call
 * settles (so a breaker's later half-open timer is left alone).
 */
async function run(clock: FakeClock, p: Promise<unknown>): Promise<unknown> {
  let done = false;
  const settled = settle(p).then((v) => {
    done = true;
    return v;
  });
  await flush();
  while (!done) {
    const due = clock.nextDue;
    if (due === undefined) throw new Error('call still pending with no timer left');
    await clock.advanceAsync(due - clock.now());
  }
  return settled;
}

function failing(message = 'dependency down') {
  const op = {
    calls: 0,
    fn: (): Promise<never> => {
      op.calls++;
      return Promise.reject(new Error(message));
    },
  };
  return op;
}

describe('ErrorRecoveryCoordinator', () => {
  it('returns the result and passes the operation a signal', async () => {
    const { c } = coordinator();
    let seen: AbortSignal | undefined;
    await expect(
      c.executeWithRecovery((signal) => {
        seen = signal;
        return Promise.resolve('chunk ok');
      }),
    ).resolves.toBe('chunk ok');
    expect(seen).toBeInstanceOf(AbortSignal);
    expect(c.circuitState).toBe('closed');
  });

  it('lets the breaker see every attempt, so it opens after 5 attempts across retried calls', async () => {
    const { clock, c } = coordinator();
    const op = failing();
    const first = await run(clock, c.executeWithRecovery(op.fn));
    expect(first).toBeInstanceOf(RetryExhaustedError);
    expect((first as RetryExhaustedError).attempts).toBe(3);
    expect(op.calls).toBe(3);
    expect(c.circuitState).toBe('closed');

    // Attempts 4 and 5 fail; the 5th opens the breaker; the retry's next attempt
    // meets CircuitOpenError and stops there instead of retrying it.
    const second = await run(clock, c.executeWithRecovery(op.fn));
    expect(op.calls).toBe(5);
    expect(c.circuitState).toBe('open');
    expect(second).toBeInstanceOf(CircuitOpenError);

    // Now calls fail fast: no attempt, no wait.
    const before = clock.now();
    const third = await settle(c.executeWithRecovery(op.fn));
    expect(third).toBeInstanceOf(CircuitOpenError);
    expect(op.calls).toBe(5);
    expect(clock.now()).toBe(before);
    const s = c.stats();
    expect(s).toMatchObject({ calls: 3, successes: 0, failures: 3 });
    expect(s.circuit).toMatchObject({ failures: 5, rejected: 2, opens: 1 });
    expect(s.retry).toMatchObject({ calls: 3, exhausted: 1, notRetryable: 2, retries: 4 });
  });

  it('never retries CircuitOpenError, whatever the retryable predicate says', async () => {
    const { clock, c } = coordinator({ retry: { maxAttempts: 10, jitter: 'none', retryable: () => true } });
    c.breaker.isolate();
    let calls = 0;
    const err = await run(
      clock,
      c.executeWithRecovery(() => {
        calls++;
        return Promise.resolve();
      }),
    );
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(0);
    expect(c.retry?.stats().retries).toBe(0);
  });

  it('neither retries nor counts what isBadInput names', async () => {
    const { clock, c } = coordinator({ breaker: { failureThreshold: 1 }, isBadInput: isBadRequest });
    let calls = 0;
    const bad = new BadRequest('unknown field');
    for (let i = 0; i < 10; i++) {
      const err = await run(
        clock,
        c.executeWithRecovery(() => {
          calls++;
          return Promise.reject(bad);
        }),
      );
      expect(err).toBe(bad);
    }
    expect(calls).toBe(10);
    expect(c.circuitState).toBe('closed');
    expect(c.stats().circuit).toMatchObject({ failures: 0, ignored: 10 });
    expect(c.stats().retry).toMatchObject({ retries: 0, notRetryable: 10 });
  });

  it('keeps bad input off a shared breaker built without it', async () => {
    const clock = new FakeClock();
    const shared = new CircuitBreaker({ clock, failureThreshold: 1 });
    const c = new ErrorRecoveryCoordinator({ clock, breaker: shared, retry: false, isBadInput: isBadRequest });
    const err = await run(clock, c.executeWithRecovery(() => Promise.reject(new BadRequest('bad'))));
    expect(err).toBeInstanceOf(BadRequest);
    expect(shared.state).toBe('closed');
    expect(shared.stats()).toMatchObject({ failures: 0, ignored: 1 });
  });

  it('without isBadInput, retries and counts every error, a ValidationError included', async () => {
    const { clock, c } = coordinator({ breaker: { failureThreshold: 3 } });
    let calls = 0;
    const err = await run(
      clock,
      c.executeWithRecovery(() => {
        calls++;
        return Promise.reject(new ValidationError('record', 'bad'));
      }),
    );
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect(calls).toBe(3);
    expect(c.circuitState).toBe('open');
  });

  it('checks isBadInput is a function', () => {
    expect(() => new ErrorRecoveryCoordinator({ isBadInput: 'no' as unknown as () => boolean })).toThrow(ValidationError);
  });

  it('gives each attempt its own deadline; timeouts count as breaker failures and are retried', async () => {
    const { clock, c } = coordinator({ timeout: 1000 });
    const signals: AbortSignal[] = [];
    const p = c.executeWithRecovery((signal) => {
      signals.push(signal);
      return deferred().promise; // hangs, ignoring the signal
    });
    const err = await run(clock, p);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as RetryExhaustedError).cause).toBeInstanceOf(TimeoutError);
    expect(signals).toHaveLength(3);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(new Set(signals).size).toBe(3);
    // Three 1 s deadlines plus the 100 + 200 ms waits between them.
    expect(clock.now()).toBe(3300);
    expect(c.stats().circuit.failures).toBe(3);
    expect(c.stats().timeout?.timeouts).toBe(3);
  });

  it('recovers once the breaker half-opens on time and a probe succeeds', async () => {
    const { clock, c } = coordinator({ breaker: { failureThreshold: 1, openMs: 5000, successThreshold: 1 } });
    await run(clock, c.executeWithRecovery(failing().fn));
    expect(c.circuitState).toBe('open');
    clock.advance(5000);
    expect(c.circuitState).toBe('half-open');
    await expect(c.executeWithRecovery(() => Promise.resolve('back'))).resolves.toBe('back');
    expect(c.circuitState).toBe('closed');
  });

  it('cancels a pending retry wait when the caller aborts', async () => {
    const { clock, c } = coordinator({ retry: { maxAttempts: 5, baseDelay: 60_000, jitter: 'none' } });
    const op = failing();
    const ac = new AbortController();
    const p = settle(c.executeWithRecovery(op.fn, ac.signal));
    await flush();
    expect(op.calls).toBe(1);
    ac.abort();
    expect(await p).toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
    expect(op.calls).toBe(1);
  });

  it('treats a caller abort during an attempt as neither retryable nor a dependency failure', async () => {
    const { c } = coordinator({ timeout: 5000, breaker: { failureThreshold: 1, failureRateThreshold: null } });
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    const p = settle(
      c.executeWithRecovery((signal) => {
        seen = signal;
        return deferred().promise;
      }, ac.signal),
    );
    await flush();
    ac.abort();
    expect(await p).toBeInstanceOf(AbortError);
    expect(seen?.aborted).toBe(true);
    expect(c.circuitState).toBe('closed');
    expect(c.stats().circuit).toMatchObject({ failures: 0, ignored: 1 });
    expect(c.stats().retry).toMatchObject({ retries: 0, aborted: 1 });
  });

  it('shares a breaker instance between coordinators of one dependency', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 2, failureRateThreshold: null });
    const reads = new ErrorRecoveryCoordinator({ clock, breaker, retry: false });
    const writes = new ErrorRecoveryCoordinator({ clock, breaker, retry: false });
    await settle(reads.executeWithRecovery(failing().fn));
    await settle(writes.executeWithRecovery(failing().fn));
    expect(reads.circuitState).toBe('open');
    expect(await settle(writes.executeWithRecovery(() => Promise.resolve()))).toBeInstanceOf(CircuitOpenError);
  });

  it('runs each call once with retry: false', async () => {
    const { c } = coordinator({ retry: false });
    const op = failing();
    expect(await settle(c.executeWithRecovery(op.fn))).toBeInstanceOf(Error);
    expect(op.calls).toBe(1);
    expect(c.stats().retry).toBeNull();
  });

  it('builds with all defaults', async () => {
    const c = new ErrorRecoveryCoordinator({ clock: new FakeClock() });
    expect(c.retry?.maxAttempts).toBe(3);
    expect(c.timeout).toBeNull();
    expect(c.breaker.stats().openMs).toBe(60_000);
    await expect(c.execute(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
