import { describe, expect, it } from 'vitest';
import { CircuitBreaker, FakeClock, RollingWindow, type CircuitBreakerOptions } from './index.js';
import { boom, ok, settle } from './test-helpers.js';

const fail = boom();

// Consecutive tripping off, so only the rate can open these breakers.
function rateBreaker(opts: CircuitBreakerOptions = {}): { clock: FakeClock; cb: CircuitBreaker } {
  const clock = new FakeClock();
  const cb = new CircuitBreaker({
    clock,
    failureThreshold: Infinity,
    failureRateThreshold: 0.5,
    minimumCalls: 10,
    windowMs: 1000,
    windowBuckets: 10,
    ...opts,
  });
  return { clock, cb };
}

async function alternate(cb: CircuitBreaker, pairs: number): Promise<void> {
  for (let i = 0; i < pairs; i++) {
    await cb.execute(ok);
    await settle(cb.execute(fail));
  }
}

describe('CircuitBreaker failure-rate window', () => {
  it('does not trip by rate before minimumCalls calls are in the window', async () => {
    const { cb } = rateBreaker();
    await settle(cb.execute(fail));
    await settle(cb.execute(fail));
    await settle(cb.execute(fail));
    // 3 of 3 failed (100%), but 3 < minimumCalls.
    expect(cb.state).toBe('closed');
    expect(cb.stats().window).toEqual({ calls: 3, failures: 3, failureRate: 1 });
  });

  it('trips once the rate reaches the threshold with enough calls', async () => {
    const { cb } = rateBreaker();
    const reasons: string[] = [];
    cb.on('open', (e) => reasons.push(e.reason));
    await alternate(cb, 4); // 8 calls, 50%
    expect(cb.state).toBe('closed');
    await cb.execute(ok); // 9 calls, 4 failures
    await settle(cb.execute(fail)); // 10 calls, 5 failures = 50%
    expect(cb.state).toBe('open');
    expect(reasons).toEqual(['failure-rate']);
  });

  it('stays closed while the rate is under the threshold', async () => {
    const { cb } = rateBreaker();
    for (let i = 0; i < 30; i++) {
      await cb.execute(ok);
      await cb.execute(ok);
      await settle(cb.execute(fail)); // 33%
    }
    expect(cb.state).toBe('closed');
  });

  it('forgets calls that fall out of the window', async () => {
    const { clock, cb } = rateBreaker();
    for (let i = 0; i < 9; i++) await settle(cb.execute(fail));
    expect(cb.stats().window.calls).toBe(9);
    // Past the window (plus a bucket for its granularity) the old failures are gone.
    clock.advance(1100);
    expect(cb.stats().window).toEqual({ calls: 0, failures: 0, failureRate: 0 });
    await settle(cb.execute(fail));
    expect(cb.state).toBe('closed');
    expect(cb.stats().window.calls).toBe(1);
  });

  it('expires old buckets one at a time as the window slides', async () => {
    const { clock, cb } = rateBreaker({ minimumCalls: 6 });
    // t=0..: 5 failures, then at t=500: 5 successes.
    for (let i = 0; i < 5; i++) await settle(cb.execute(fail));
    clock.advance(500);
    for (let i = 0; i < 5; i++) await cb.execute(ok);
    expect(cb.stats().window).toEqual({ calls: 10, failures: 5, failureRate: 0.5 });
    // t=1000: the first bucket (the failures) slides out; the successes stay.
    clock.advance(500);
    expect(cb.stats().window).toEqual({ calls: 5, failures: 0, failureRate: 0 });
    // One failure now is 1 of 6: under the rate, so no trip.
    await settle(cb.execute(fail));
    expect(cb.state).toBe('closed');
  });

  it('starts a fresh window after the breaker closes again', async () => {
    const { clock, cb } = rateBreaker({ successThreshold: 1, openMs: 10 });
    await alternate(cb, 5);
    expect(cb.state).toBe('open');
    clock.advance(10);
    await cb.execute(ok);
    expect(cb.state).toBe('closed');
    expect(cb.stats().window.calls).toBe(0);
    await settle(cb.execute(fail));
    expect(cb.state).toBe('closed');
  });

  it('combines with consecutive tripping: whichever comes first', async () => {
    const { cb } = rateBreaker({ failureThreshold: 3, minimumCalls: 100 });
    await settle(cb.execute(fail));
    await settle(cb.execute(fail));
    await settle(cb.execute(fail));
    expect(cb.state).toBe('open');
  });

  it('is on by default (50% over 5 minutes, from 20 calls)', async () => {
    const clock = new FakeClock();
    const cb = new CircuitBreaker({ clock });
    await alternate(cb, 9);
    expect(cb.state).toBe('closed');
    await cb.execute(ok);
    await settle(cb.execute(fail));
    expect(cb.state).toBe('open');
  });
});

describe('RollingWindow', () => {
  it('keeps counts per bucket and resets after a long gap', () => {
    const clock = new FakeClock();
    const w = new RollingWindow(100, 4, clock);
    w.record(true);
    clock.advance(30);
    w.record(false);
    clock.advance(30);
    w.record(true);
    expect(w.counts()).toEqual({ calls: 3, failures: 2 });
    // At t=125 the window holds t=50..149: only the call at t=60.
    clock.advance(65);
    expect(w.counts()).toEqual({ calls: 1, failures: 1 });
    clock.advance(10_000);
    expect(w.counts()).toEqual({ calls: 0, failures: 0 });
  });

  it('files successes without reading the clock while the newest bucket is current', () => {
    const fake = new FakeClock();
    let reads = 0;
    const clock = {
      now: () => {
        reads++;
        return fake.now();
      },
      setTimeout: (fn: () => void, ms: number) => fake.setTimeout(fn, ms),
      clearTimeout: (h: unknown) => fake.clearTimeout(h as number),
    };
    const w = new RollingWindow(100, 4, clock);
    fake.advance(10);
    for (let i = 0; i < 1000; i++) w.record(false);
    expect(reads).toBe(1);
    // The bucket (t=0..24) ends at t=25: its timer marks it stale, and the
    // next success reads the clock and lands in the new bucket.
    expect(fake.nextDue).toBe(25);
    fake.advance(15);
    w.record(false);
    expect(reads).toBe(2);
    // At t=100 the window holds t=25..124: the 1000 calls of t=10 are gone.
    fake.advance(75);
    expect(w.counts()).toEqual({ calls: 1, failures: 0 });
    // Failures always read the clock.
    w.record(true);
    w.record(true);
    expect(reads).toBe(5);
  });

  it('files a call from a clock that stepped back into the newest bucket', () => {
    let now = 90;
    const fake = new FakeClock();
    const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined };
    const w = new RollingWindow(100, 4, clock);
    w.record(false);
    now = 10;
    w.record(true);
    now = 90;
    expect(w.counts()).toEqual({ calls: 2, failures: 1 });
    expect(fake.pending).toBe(0);
  });
});
