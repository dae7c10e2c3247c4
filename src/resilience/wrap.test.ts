import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  ErrorRecoveryCoordinator,
  FakeClock,
  Observable,
  Retry,
  Timeout,
  TimeoutError,
  neverAborted,
  wrap,
  type Operation,
  type Policy,
} from './index.js';
import { flush, settle } from './test-helpers.js';

/** A policy that records when calls pass through it. */
function tracer(name: string, log: string[]): Policy {
  return {
    async execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
      log.push(`${name} in`);
      try {
        return await fn(signal ?? neverAborted);
      } finally {
        log.push(`${name} out`);
      }
    },
  };
}

describe('wrap', () => {
  it('nests policies, the first outermost', async () => {
    const log: string[] = [];
    const policy = wrap(tracer('a', log), tracer('b', log), tracer('c', log));
    await policy.execute(() => {
      log.push('op');
      return Promise.resolve();
    });
    expect(log).toEqual(['a in', 'b in', 'c in', 'op', 'c out', 'b out', 'a out']);
  });

  it('with no policy just runs the operation; with one, is that policy', async () => {
    await expect(wrap().execute(() => Promise.resolve(1))).resolves.toBe(1);
    const err = new Error('sync');
    expect(
      await settle(
        wrap().execute(() => {
          throw err;
        }),
      ),
    ).toBe(err);
    const log: string[] = [];
    await wrap(tracer('only', log)).execute(() => Promise.resolve());
    expect(log).toEqual(['only in', 'only out']);
  });

  it('threads the signal each policy hands inward', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    await wrap(new Retry({ clock }), new Timeout({ timeoutMs: 100, clock })).execute((signal) => {
      seen = signal;
      return Promise.resolve();
    }, ac.signal);
    // The timeout's own signal, linked to the caller's.
    expect(seen).not.toBe(ac.signal);
    ac.abort();
    expect(seen?.aborted).toBe(false); // the call was over: unlinked
  });

  it('composes in any order: a timeout outside the retry bounds the whole call', async () => {
    const clock = new FakeClock();
    const retry = new Retry({ clock, maxAttempts: 10, baseDelay: 400, jitter: 'none', multiplier: 1 });
    const policy = wrap(new Timeout({ timeoutMs: 1000, clock }), retry);
    let calls = 0;
    const p = settle(
      policy.execute(() => {
        calls++;
        return Promise.reject(new Error('flaky'));
      }),
    );
    await clock.advanceAsync(1000);
    expect(await p).toBeInstanceOf(TimeoutError);
    // Attempts at 0, 400, 800; the 1000 ms deadline cancelled the wait for the 4th.
    expect(calls).toBe(3);
    expect(clock.pending).toBe(0);
    expect(retry.stats().aborted).toBe(1);
  });

  it('composes retry(breaker) by hand the way the coordinator does', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 2, failureRateThreshold: null });
    const policy = wrap(new Retry({ clock, maxAttempts: 5, jitter: 'none' }), breaker);
    const p = settle(policy.execute(() => Promise.reject(new Error('down'))));
    await clock.advanceAsync(1000);
    const err = await p;
    expect(breaker.state).toBe('open');
    // Retry's default predicate stops at the open breaker rather than exhausting.
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(breaker.stats().failures).toBe(2);
  });

  it('accepts a coordinator as a policy', async () => {
    const c = new ErrorRecoveryCoordinator({ clock: new FakeClock() });
    await expect(wrap(c).execute(() => Promise.resolve('x'))).resolves.toBe('x');
  });
});

class Counter extends Observable<{ tick: { n: number }; other: string }> {
  tick(n: number): void {
    this.emit('tick', { n });
  }
  listening(): boolean {
    return this.hasListeners('tick');
  }
}

describe('Observable', () => {
  it('supports on/off/once and reports whether anyone listens', () => {
    const c = new Counter();
    const seen: string[] = [];
    expect(c.listening()).toBe(false);
    const off = c.on('tick', (e) => seen.push(`on ${e.n}`));
    c.once('tick', (e) => seen.push(`once ${e.n}`));
    c.tick(1);
    c.tick(2);
    off();
    c.tick(3);
    expect(seen).toEqual(['on 1', 'once 1', 'on 2']);
    expect(c.listening()).toBe(false);
  });

  it('keeps a throwing listener from breaking the emitter or the other listeners', async () => {
    const c = new Counter();
    const seen: number[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => {
      uncaught.push(err);
    };
    // Vitest watches for uncaught errors; take this expected one first.
    const previous = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      c.on('tick', () => {
        throw new Error('listener bug');
      });
      c.on('tick', (e) => seen.push(e.n));
      expect(() => c.tick(7)).not.toThrow();
      expect(seen).toEqual([7]);
      await flush();
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of previous) process.on('uncaughtException', l);
    }
    expect(uncaught).toHaveLength(1);
    expect((uncaught[0] as Error).message).toBe('listener bug');
  });

});
