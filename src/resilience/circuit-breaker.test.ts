import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  FakeClock,
  ValidationError,
  type CircuitBreakerOptions,
  type CircuitState,
} from './index.js';
import { BadRequest, boom, deferred, isBadRequest, ok, settle } from './test-helpers.js';

const fail = boom();

function breaker(opts: CircuitBreakerOptions = {}): { clock: FakeClock; cb: CircuitBreaker; states: CircuitState[] } {
  const clock = new FakeClock();
  const cb = new CircuitBreaker({ clock, failureRateThreshold: null, ...opts });
  const states: CircuitState[] = [];
  cb.on('stateChange', (e) => states.push(e.to));
  return { clock, cb, states };
}

async function failTimes(cb: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await settle(cb.execute(fail));
}

describe('CircuitBreaker transitions', () => {
  it('starts closed with the original defaults', () => {
    const cb = new CircuitBreaker({ clock: new FakeClock() });
    expect(cb.state).toBe('closed');
    const s = cb.stats();
    expect(s.openMs).toBe(60_000);
    expect(s.state).toBe('closed');
  });

  it('opens after failureThreshold consecutive failures; a success resets the count', async () => {
    const { cb, states } = breaker({ failureThreshold: 3 });
    await failTimes(cb, 2);
    await cb.execute(ok);
    await failTimes(cb, 2);
    expect(cb.state).toBe('closed');
    expect(cb.stats().consecutiveFailures).toBe(2);
    const opened: string[] = [];
    cb.on('open', (e) => opened.push(e.reason));
    await failTimes(cb, 1);
    expect(cb.state).toBe('open');
    expect(opened).toEqual(['consecutive-failures']);
    expect(states).toEqual(['open']);
  });

  it('refuses calls while open without running them, with the time left', async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 1000 });
    await failTimes(cb, 1);
    clock.advance(250);
    let ran = false;
    const rejected: CircuitState[] = [];
    cb.on('rejected', (e) => rejected.push(e.state));
    const err = await settle(
      cb.execute(() => {
        ran = true;
        return ok();
      }),
    );
    expect(ran).toBe(false);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).retryAfterMs).toBe(750);
    expect((err as CircuitOpenError).state).toBe('open');
    expect(rejected).toEqual(['open']);
    expect(cb.stats().rejected).toBe(1);
  });

  it('half-opens on time by itself, with no call needed', async () => {
    const { clock, cb, states } = breaker({ failureThreshold: 1, openMs: 1000 });
    const halfOpened: number[] = [];
    cb.on('halfOpen', (e) => halfOpened.push(e.openedFor));
    await failTimes(cb, 1);
    clock.advance(999);
    expect(cb.state).toBe('open');
    clock.advance(1);
    expect(cb.state).toBe('half-open');
    expect(halfOpened).toEqual([1000]);
    expect(states).toEqual(['open', 'half-open']);
  });

  it('half-opens on the next call when the clock has no timers to fire', async () => {
    const base = new FakeClock();
    // A clock whose timers never fire: only the time check can half-open it.
    const clock = { now: () => base.now(), setTimeout: () => 0, clearTimeout: () => undefined };
    const cb = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 1000, successThreshold: 1 });
    await failTimes(cb, 1);
    base.advance(1000);
    expect(cb.state).toBe('open');
    await cb.execute(ok);
    expect(cb.state).toBe('closed');
  });

  it('closes after successThreshold successful probes in half-open', async () => {
    const { clock, cb, states } = breaker({ failureThreshold: 1, openMs: 10, successThreshold: 3 });
    const closes: number[] = [];
    cb.on('close', (e) => closes.push(e.probes));
    await failTimes(cb, 1);
    clock.advance(10);
    await cb.execute(ok);
    await cb.execute(ok);
    expect(cb.state).toBe('half-open');
    expect(cb.stats().halfOpen.successes).toBe(2);
    await cb.execute(ok);
    expect(cb.state).toBe('closed');
    expect(closes).toEqual([3]);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens on a failure in half-open', async () => {
    const { clock, cb, states } = breaker({ failureThreshold: 1, openMs: 10, successThreshold: 3 });
    await failTimes(cb, 1);
    clock.advance(10);
    await cb.execute(ok);
    const reasons: string[] = [];
    cb.on('open', (e) => reasons.push(e.reason));
    await failTimes(cb, 1);
    expect(cb.state).toBe('open');
    expect(reasons).toEqual(['half-open-failure']);
    expect(states).toEqual(['open', 'half-open', 'open']);
    expect(cb.stats().opens).toBe(2);
  });

  it('emits success and failure with the state they ran in and their duration', async () => {
    const { clock, cb } = breaker({ failureThreshold: 10 });
    const seen: string[] = [];
    cb.on('success', (e) => seen.push(`success ${e.state} ${e.durationMs}`));
    cb.on('failure', (e) => seen.push(`failure ${e.state} ${e.durationMs} ${(e.error as Error).message}`));
    const d = deferred();
    const p = cb.execute(() => d.promise);
    clock.advance(40);
    d.resolve('x');
    await p;
    await failTimes(cb, 1);
    expect(seen).toEqual(['success closed 40', 'failure closed 0 boom']);
  });

  it('hands the operation the caller’s signal', async () => {
    const { cb } = breaker();
    const ac = new AbortController();
    let got: AbortSignal | undefined;
    await cb.execute((signal) => {
      got = signal;
      return ok();
    }, ac.signal);
    expect(got).toBe(ac.signal);
  });

  it('ignores the late outcome of a call admitted before the state changed', async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 10, successThreshold: 1 });
    const slow = deferred();
    const p = settle(cb.execute(() => slow.promise));
    await failTimes(cb, 1);
    expect(cb.state).toBe('open');
    clock.advance(10);
    await cb.execute(ok);
    expect(cb.state).toBe('closed');
    slow.reject(new Error('late'));
    await p;
    // Counted, but a failure from the old closed period must not trip the new one.
    expect(cb.state).toBe('closed');
    expect(cb.stats().failures).toBe(2);
  });

  it('counts a synchronous throw as a failure', async () => {
    const { cb } = breaker({ failureThreshold: 1 });
    const err = await settle(
      cb.execute(() => {
        throw new Error('sync');
      }),
    );
    expect((err as Error).message).toBe('sync');
    expect(cb.state).toBe('open');
  });
});

describe('CircuitBreaker half-open probes', () => {
  it('lets halfOpenMaxProbes calls through at once and refuses the rest', async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 10, successThreshold: 2, halfOpenMaxProbes: 2 });
    await failTimes(cb, 1);
    clock.advance(10);
    const a = deferred();
    const b = deferred();
    const pa = cb.execute(() => a.promise);
    const pb = cb.execute(() => b.promise);
    const third = await settle(cb.execute(ok));
    expect(third).toBeInstanceOf(CircuitOpenError);
    expect((third as CircuitOpenError).state).toBe('half-open');
    expect(cb.stats().halfOpen.probesInFlight).toBe(2);
    a.resolve('a');
    await pa;
    // A slot is free again: the next call is admitted as a probe.
    const c = deferred();
    const pc = cb.execute(() => c.promise);
    expect(cb.stats().halfOpen.probesInFlight).toBe(2);
    b.resolve('b');
    await pb;
    expect(cb.state).toBe('closed');
    c.resolve('c');
    await pc;
    expect(cb.state).toBe('closed');
  });

  it('defaults to one probe at a time', async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 10 });
    await failTimes(cb, 1);
    clock.advance(10);
    const a = deferred();
    const pa = cb.execute(() => a.promise);
    await expect(cb.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    a.resolve('a');
    await pa;
    await expect(cb.execute(ok)).resolves.toBe('ok');
  });

  it('frees the probe slot of an ignored (bad-input) error', async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 10 });
    await failTimes(cb, 1);
    clock.advance(10);
    await settle(cb.execute(() => Promise.reject(new BadRequest('bad')), undefined, isBadRequest));
    expect(cb.state).toBe('half-open');
    expect(cb.stats().halfOpen.probesInFlight).toBe(0);
    await expect(cb.execute(ok)).resolves.toBe('ok');
  });
});

describe('CircuitBreaker open backoff', () => {
  it('grows the open time on each re-open up to maxOpenMs, and resets on close', async () => {
    const { clock, cb } = breaker({
      failureThreshold: 1,
      successThreshold: 1,
      openMs: 1000,
      openBackoff: 2,
      maxOpenMs: 5000,
    });
    const openFor: number[] = [];
    cb.on('open', (e) => openFor.push(e.openMs));
    await failTimes(cb, 1);
    for (let i = 0; i < 4; i++) {
      clock.advance(cb.stats().openMs);
      expect(cb.state).toBe('half-open');
      await failTimes(cb, 1);
    }
    expect(openFor).toEqual([1000, 2000, 4000, 5000, 5000]);
    clock.advance(4999);
    expect(cb.state).toBe('open');
    clock.advance(1);
    await cb.execute(ok);
    expect(cb.state).toBe('closed');
    await failTimes(cb, 1);
    expect(openFor.at(-1)).toBe(1000);
  });

  it('keeps a constant open time by default', async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 100 });
    const openFor: number[] = [];
    cb.on('open', (e) => openFor.push(e.openMs));
    await failTimes(cb, 1);
    clock.advance(100);
    await failTimes(cb, 1);
    expect(openFor).toEqual([100, 100]);
  });
});

describe('CircuitBreaker isFailure and isBadInput', () => {
  it('counts every error by default: the library knows no bad input', async () => {
    const { cb } = breaker({ failureThreshold: 2 });
    await settle(cb.execute(() => Promise.reject(new BadRequest('bad'))));
    await settle(cb.execute(() => Promise.reject(new ValidationError('record', 'bad'))));
    expect(cb.state).toBe('open');
    expect(cb.stats()).toMatchObject({ failures: 2, ignored: 0 });
  });

  it('lets errors isFailure rejects through without counting them either way', async () => {
    const { cb } = breaker({ failureThreshold: 2, isFailure: (e) => !isBadRequest(e) });
    await failTimes(cb, 1);
    for (let i = 0; i < 5; i++) {
      const err = await settle(cb.execute(() => Promise.reject(new BadRequest('bad'))));
      expect(err).toBeInstanceOf(BadRequest);
    }
    expect(cb.state).toBe('closed');
    // Nor did they reset the consecutive count, as a success would have.
    expect(cb.stats().consecutiveFailures).toBe(1);
    expect(cb.stats().ignored).toBe(5);
  });

  it("excuses a caller's bad input on a breaker configured without it, in every state's path", async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 10 });
    const bad = (): Promise<never> => Promise.reject(new BadRequest('bad'));
    // Closed, without and with a caller's signal (the hot path and the other).
    await settle(cb.execute(bad, undefined, isBadRequest));
    await settle(cb.execute(bad, new AbortController().signal, isBadRequest));
    expect(cb.state).toBe('closed');
    // The same breaker still counts it for a caller that does not excuse it.
    await settle(cb.execute(bad));
    expect(cb.state).toBe('open');
    clock.advance(10);
    await settle(cb.execute(bad, undefined, isBadRequest));
    expect(cb.state).toBe('half-open');
    expect(cb.stats()).toMatchObject({ failures: 1, ignored: 3 });
  });

  it('uses a custom predicate', async () => {
    const { cb } = breaker({ failureThreshold: 1, isFailure: (e) => (e as Error).message !== 'expected' });
    await settle(cb.execute(boom('expected')));
    expect(cb.state).toBe('closed');
    await settle(cb.execute(boom('real')));
    expect(cb.state).toBe('open');
  });

  it('does not count a call the caller aborted', async () => {
    const { cb } = breaker({ failureThreshold: 1 });
    const ac = new AbortController();
    const p = settle(
      cb.execute(
        (signal) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => reject(new Error('cancelled')));
          }),
        ac.signal,
      ),
    );
    ac.abort();
    await p;
    expect(cb.state).toBe('closed');
    expect(cb.stats().ignored).toBe(1);
  });
});

describe('CircuitBreaker isolate and reset', () => {
  it('isolate() refuses everything until reset()', async () => {
    const { clock, cb, states } = breaker({ openMs: 10 });
    cb.isolate();
    expect(cb.state).toBe('isolated');
    clock.advance(1_000_000);
    const err = await settle(cb.execute(ok));
    expect((err as CircuitOpenError).state).toBe('isolated');
    cb.reset();
    expect(cb.state).toBe('closed');
    await expect(cb.execute(ok)).resolves.toBe('ok');
    expect(states).toEqual(['isolated', 'closed']);
  });

  it('reset() closes an open breaker and cancels its half-open timer', async () => {
    const { clock, cb } = breaker({ failureThreshold: 1, openMs: 10 });
    await failTimes(cb, 1);
    expect(clock.pending).toBe(1);
    cb.reset();
    expect(clock.pending).toBe(0);
    expect(cb.state).toBe('closed');
  });
});

describe('CircuitBreaker timers', () => {
  it('does not keep the process alive while open', async () => {
    const handles: ReturnType<typeof setTimeout>[] = [];
    const clock = {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => {
        const h = setTimeout(fn, ms);
        handles.push(h);
        return h;
      },
      clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const cb = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 60_000 });
    await failTimes(cb, 1);
    expect(handles).toHaveLength(1);
    expect(handles[0]?.hasRef()).toBe(false);
    cb.reset();
  });
});

describe('CircuitBreaker options', () => {
  it.each([
    [{ failureThreshold: 0 }, 'circuitBreaker.failureThreshold'],
    [{ failureThreshold: 1.5 }, 'circuitBreaker.failureThreshold'],
    [{ failureRateThreshold: 0 }, 'circuitBreaker.failureRateThreshold'],
    [{ failureRateThreshold: 1.1 }, 'circuitBreaker.failureRateThreshold'],
    [{ minimumCalls: 0 }, 'circuitBreaker.minimumCalls'],
    [{ windowMs: 0 }, 'circuitBreaker.windowMs'],
    [{ windowBuckets: 0 }, 'circuitBreaker.windowBuckets'],
    [{ successThreshold: 0 }, 'circuitBreaker.successThreshold'],
    [{ openMs: -1 }, 'circuitBreaker.openMs'],
    [{ openMs: Number.NaN }, 'circuitBreaker.openMs'],
    [{ openBackoff: 0.5 }, 'circuitBreaker.openBackoff'],
    [{ openMs: 1000, maxOpenMs: 999 }, 'circuitBreaker.maxOpenMs'],
    [{ halfOpenMaxProbes: 0 }, 'circuitBreaker.halfOpenMaxProbes'],
  ] as [CircuitBreakerOptions, string][])('rejects %o', (opts, field) => {
    const err = settleSync(() => new CircuitBreaker(opts));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
  });

  it('accepts Infinity to turn consecutive tripping off', async () => {
    const { cb } = breaker({ failureThreshold: Infinity });
    await failTimes(cb, 100);
    expect(cb.state).toBe('closed');
  });
});

function settleSync(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    return err;
  }
}
