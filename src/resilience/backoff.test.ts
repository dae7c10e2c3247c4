import { describe, expect, it } from 'vitest';
import {
  DECORRELATED_FACTOR,
  JITTERS,
  ValidationError,
  computeDelay,
  exponentialDelay,
  seededRandom,
  validateBackoff,
  type BackoffOptions,
  type Jitter,
} from './index.js';

const base: BackoffOptions = { baseDelay: 100, maxDelay: 1000, multiplier: 2, jitter: 'none' };

/** The draws a seed yields, to compute the expected delays independently. */
function draws(seed: number, n: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => r());
}

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    expect(draws(7, 5)).toEqual(draws(7, 5));
    expect(draws(7, 5)).not.toEqual(draws(8, 5));
    const xs = draws(123, 10_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    // Roughly uniform: the mean of 10 000 draws is near 1/2.
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});

describe('computeDelay per jitter kind', () => {
  it('none: base * multiplier^(n-1), capped', () => {
    const got = [1, 2, 3, 4, 5, 6].map((n) => computeDelay(n, base));
    expect(got).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(computeDelay(3, { ...base, multiplier: 3 })).toBe(900);
  });

  it('full: random(0, ceiling)', () => {
    const d = draws(42, 5);
    const r = seededRandom(42);
    const o: BackoffOptions = { ...base, jitter: 'full' };
    const got = [1, 2, 3, 4, 5].map((n) => computeDelay(n, o, r));
    expect(got).toEqual([1, 2, 3, 4, 5].map((n, i) => (d[i] ?? NaN) * exponentialDelay(n, o)));
  });

  it('equal: ceiling/2 + random(0, ceiling/2)', () => {
    const d = draws(9, 5);
    const r = seededRandom(9);
    const o: BackoffOptions = { ...base, jitter: 'equal' };
    const got = [1, 2, 3, 4, 5].map((n) => computeDelay(n, o, r));
    const want = [1, 2, 3, 4, 5].map((n, i) => {
      const e = exponentialDelay(n, o);
      return e / 2 + (d[i] ?? NaN) * (e / 2);
    });
    expect(got).toEqual(want);
  });

  it('decorrelated: min(cap, random(base, previous * 3)), starting from base', () => {
    const d = draws(5, 8);
    const r = seededRandom(5);
    const o: BackoffOptions = { ...base, jitter: 'decorrelated' };
    let prev: number | undefined;
    let want = o.baseDelay;
    for (let n = 1; n <= 8; n++) {
      const got = computeDelay(n, o, r, prev);
      want = Math.min(o.maxDelay, o.baseDelay + (d[n - 1] ?? NaN) * (want * DECORRELATED_FACTOR - o.baseDelay));
      expect(got).toBe(want);
      prev = got;
    }
  });

  it('keeps a zero base at zero however many retries', () => {
    expect(computeDelay(5000, { ...base, baseDelay: 0 })).toBe(0);
    expect(computeDelay(5000, base)).toBe(1000);
  });
});

describe('computeDelay properties over seeded random configurations', () => {
  // A hand-rolled property test: 2 000 configurations drawn from a seeded
  // source, each followed for 30 retries with every jitter kind. Violations
  // are collected (expect() per check would make this slow) and shown at once.
  it('never exceeds maxDelay and grows as configured', () => {
    const pick = seededRandom(20_240_601);
    const violations: string[] = [];
    const check = (ok: boolean, what: string, where: () => string): void => {
      if (!ok && violations.length < 20) violations.push(`${what} at ${where()}`);
    };
    let checked = 0;
    for (let c = 0; c < 2000; c++) {
      const baseDelay = Math.floor(pick() * 1000);
      const o = {
        baseDelay,
        maxDelay: baseDelay + Math.floor(pick() * 60_000),
        multiplier: 1 + pick() * 4,
      };
      const jitterRandom = seededRandom(c);
      for (const jitter of JITTERS as Jitter[]) {
        const opts: BackoffOptions = { ...o, jitter };
        let prevCeiling = 0;
        let prev: number | undefined;
        for (let n = 1; n <= 30; n++) {
          const ceiling = exponentialDelay(n, opts);
          const delay = computeDelay(n, opts, jitterRandom, prev);
          const where = (): string => `config ${c} ${JSON.stringify(opts)} retry ${n}: delay ${delay}`;
          check(delay >= 0, 'negative delay', where);
          check(delay <= o.maxDelay, 'delay over maxDelay', where);
          // The exponential ceiling never shrinks and is base * m^(n-1) until the cap.
          check(ceiling >= prevCeiling, 'ceiling shrank', where);
          const want = Math.min(o.maxDelay, baseDelay * Math.pow(o.multiplier, n - 1));
          check(Math.abs(ceiling - want) <= 1e-9 * Math.max(1, want), 'ceiling off the schedule', where);
          switch (jitter) {
            case 'none':
              check(delay === ceiling, 'none is not the ceiling', where);
              break;
            case 'full':
              check(delay <= ceiling, 'full over the ceiling', where);
              break;
            case 'equal':
              check(delay >= ceiling / 2 && delay <= ceiling, 'equal outside [ceiling/2, ceiling]', where);
              break;
            case 'decorrelated': {
              const high = Math.max(baseDelay, (prev ?? baseDelay) * DECORRELATED_FACTOR);
              check(delay >= baseDelay && delay <= high, 'decorrelated outside [base, 3 * previous]', where);
              break;
            }
          }
          prevCeiling = ceiling;
          prev = delay;
          checked++;
        }
        // Doubling (or more) 29 times from a non-zero base reaches any cap here.
        if (baseDelay > 0 && o.multiplier >= 2) {
          check(prevCeiling === o.maxDelay, 'never reached the cap', () => `config ${c}`);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(checked).toBe(2000 * 4 * 30);
  });
});

describe('validateBackoff', () => {
  it.each([
    [{ baseDelay: -1 }, 'retry.baseDelay'],
    [{ baseDelay: Number.NaN }, 'retry.baseDelay'],
    [{ maxDelay: -5 }, 'retry.maxDelay'],
    [{ baseDelay: 500, maxDelay: 100 }, 'retry.maxDelay'],
    [{ multiplier: 0.5 }, 'retry.multiplier'],
    [{ jitter: 'some' as Jitter }, 'retry.jitter'],
  ] as [Partial<BackoffOptions>, string][])('rejects %o', (bad, field) => {
    let err: unknown;
    try {
      validateBackoff({ ...base, ...bad }, 'retry');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
  });
});
