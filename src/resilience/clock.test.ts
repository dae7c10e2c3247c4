import { describe, expect, it } from 'vitest';
import { AbortError, FakeClock, ValidationError, sleep, systemClock, unrefTimer } from './index.js';

describe('FakeClock', () => {
  it('fires timers in due order, ties in creation order, and only when time reaches them', () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    clock.advance(9);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(1009);
    clock.advance(11);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(1020);
    expect(clock.pending).toBe(0);
  });

  it('shows each timer the time it was due, and fires timers scheduled on the way', () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 5);
    }, 10);
    clock.advance(100);
    expect(seen).toEqual([10, 15]);
    expect(clock.now()).toBe(100);
  });

  it('clears timers and runs everything with runAll()', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const h = clock.setTimeout(() => fired.push(1), 10);
    clock.setTimeout(() => fired.push(2), 50);
    clock.clearTimeout(h);
    expect(clock.nextDue).toBe(50);
    clock.runAll();
    expect(fired).toEqual([2]);
    expect(clock.now()).toBe(50);
  });

  it('stops runAll() on a timer that keeps rescheduling itself', () => {
    const clock = new FakeClock();
    const again = (): void => {
      clock.setTimeout(again, 1);
    };
    again();
    expect(() => clock.runAll(100)).toThrow(/rescheduling/);
  });

  it('rejects moving time backwards', () => {
    expect(() => new FakeClock().advance(-1)).toThrow(ValidationError);
  });
});

describe('sleep', () => {
  it('resolves when the clock reaches the delay', async () => {
    const clock = new FakeClock();
    let done = false;
    const p = sleep(100, clock).then(() => {
      done = true;
    });
    await clock.advanceAsync(99);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it('rejects with AbortError at once on abort and clears its timer', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = sleep(60_000, clock, ac.signal);
    expect(clock.pending).toBe(1);
    const reason = new Error('shutting down');
    ac.abort(reason);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).cause).toBe(reason);
    expect(clock.pending).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('rejects without waiting when the signal is already aborted', async () => {
    const clock = new FakeClock();
    await expect(sleep(10, clock, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
  });
});

describe('systemClock', () => {
  it('uses wall time and real timers that can be unref-ed and cleared', () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    const handle = systemClock.setTimeout(() => undefined, 10_000);
    unrefTimer(handle);
    systemClock.clearTimeout(handle);
    unrefTimer(42); // a handle without unref is left alone
  });
});
