import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  FakeClock,
  ValidationError,
  type CircuitBreakerSnapshot,
} from './index.js';
import { boom, ok, settle } from './test-helpers.js';

const fail = boom();

/** What a service would write to disk and read back after a restart. */
function roundTrip(cb: CircuitBreaker): CircuitBreakerSnapshot {
  return JSON.parse(JSON.stringify(cb)) as CircuitBreakerSnapshot;
}

describe('CircuitBreaker toJSON / restore', () => {
  it('keeps a restored open breaker open until its time, then half-opens on time', async () => {
    const clock = new FakeClock(1_000_000);
    const before = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 60_000 });
    await settle(before.execute(fail));
    clock.advance(20_000);
    const snapshot = roundTrip(before);
    expect(snapshot).toMatchObject({ state: 'open', openedAt: 1_000_000, openUntil: 1_060_000, openMs: 60_000 });

    // "Restart": a new breaker, same clock time, from the snapshot.
    const after = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 60_000, state: snapshot });
    expect(after.state).toBe('open');
    const err = await settle(after.execute(ok));
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).retryAfterMs).toBe(40_000);
    clock.advance(39_999);
    expect(after.state).toBe('open');
    clock.advance(1);
    expect(after.state).toBe('half-open');
  });

  it('restores an open breaker whose time has passed as half-open', async () => {
    const clock = new FakeClock();
    const before = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 100 });
    await settle(before.execute(fail));
    const snapshot = roundTrip(before);
    const later = new FakeClock(5000);
    const after = new CircuitBreaker({ clock: later, state: snapshot, successThreshold: 1 });
    expect(after.state).toBe('half-open');
    await after.execute(ok);
    expect(after.state).toBe('closed');
  });

  it('keeps the grown open time and re-open count', async () => {
    const clock = new FakeClock();
    const opts = { clock, failureThreshold: 1, openMs: 100, openBackoff: 3, maxOpenMs: 10_000 };
    const before = new CircuitBreaker(opts);
    await settle(before.execute(fail));
    clock.advance(100);
    await settle(before.execute(fail)); // re-open: 300 ms
    const after = new CircuitBreaker({ ...opts, state: roundTrip(before) });
    expect(after.toJSON()).toEqual(before.toJSON());
    clock.advance(300);
    expect(after.state).toBe('half-open');
    const openFor: number[] = [];
    after.on('open', (e) => openFor.push(e.openMs));
    await settle(after.execute(fail));
    expect(openFor).toEqual([900]);
  });

  it('keeps the consecutive failure count of a closed breaker', async () => {
    const clock = new FakeClock();
    const before = new CircuitBreaker({ clock, failureThreshold: 3 });
    await settle(before.execute(fail));
    await settle(before.execute(fail));
    const after = new CircuitBreaker({ clock, failureThreshold: 3, state: roundTrip(before) });
    expect(after.state).toBe('closed');
    await settle(after.execute(fail));
    expect(after.state).toBe('open');
  });

  it('round-trips half-open and isolated states', () => {
    const clock = new FakeClock();
    const iso = new CircuitBreaker({ clock });
    iso.isolate();
    expect(new CircuitBreaker({ clock, state: roundTrip(iso) }).state).toBe('isolated');
    const half: CircuitBreakerSnapshot = { ...iso.toJSON(), state: 'half-open' };
    expect(new CircuitBreaker({ clock, state: half }).state).toBe('half-open');
  });

  it('rejects a snapshot that is not one', () => {
    const bad = { state: 'ajar', openedAt: null, openUntil: null, openMs: 1, reopens: 0, consecutiveFailures: 0 };
    expect(() => new CircuitBreaker({ state: bad as unknown as CircuitBreakerSnapshot })).toThrow(ValidationError);
    const negative: CircuitBreakerSnapshot = { ...new CircuitBreaker().toJSON(), openMs: -5 };
    expect(() => new CircuitBreaker({ state: negative })).toThrow(ValidationError);
  });
});
