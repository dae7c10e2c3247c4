// Pure retry-delay arithmetic, apart from the retry loop so it can be
// property-tested. Jitter kinds follow the AWS Architecture Blog's
// "Exponential Backoff And Jitter" (Marc Brooker, 2015), generalised from a
// factor of 2 to `multiplier`:
//   none:         min(cap, base * m^(n-1))
//   full:         random(0, min(cap, base * m^(n-1)))
//   equal:        e = min(cap, base * m^(n-1));  e/2 + random(0, e/2)
//   decorrelated: min(cap, random(base, prev * 3)), prev starting at base
// Decorrelated jitter grows from the previous delay by the blog's factor of
// 3 (so it never settles on a fixed schedule); `multiplier` does not apply.
import { ValidationError } from './errors.js';
import type { RandomSource } from './random.js';
import { checkNumber } from './validate.js';

export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

export interface BackoffOptions {
  /** Delay before the first retry (and the floor of decorrelated jitter), ms. */
  baseDelay: number;
  /** No delay exceeds this, ms. */
  maxDelay: number;
  /** Growth per retry of the exponential ceiling. */
  multiplier: number;
  jitter: Jitter;
}

/** The blog's growth factor for decorrelated jitter. */
export const DECORRELATED_FACTOR = 3;

/** The un-jittered ceiling for retry number `retry` (1 = the first retry). */
export function exponentialDelay(retry: number, o: Pick<BackoffOptions, 'baseDelay' | 'maxDelay' | 'multiplier'>): number {
  // A zero base stays zero (0 * Infinity would be NaN once the power overflows);
  // otherwise Math.min keeps an overflowed Infinity at the cap.
  if (o.baseDelay === 0) return 0;
  return Math.min(o.maxDelay, o.baseDelay * Math.pow(o.multiplier, retry - 1));
}

/**
 * Delay before retry number `retry` (1 = the first retry). `previous` is the
 * delay used before the last retry (only decorrelated jitter reads it; pass
 * undefined for the first). `random` returns [0, 1).
 */
export function computeDelay(
  retry: number,
  o: BackoffOptions,
  random: RandomSource = Math.random,
  previous?: number,
): number {
  switch (o.jitter) {
    case 'none':
      return exponentialDelay(retry, o);
    case 'full':
      return random() * exponentialDelay(retry, o);
    case 'equal': {
      const e = exponentialDelay(retry, o);
      return e / 2 + random() * (e / 2);
    }
    case 'decorrelated': {
      const prev = previous ?? o.baseDelay;
      const high = Math.max(o.baseDelay, prev * DECORRELATED_FACTOR);
      return Math.min(o.maxDelay, o.baseDelay + random() * (high - o.baseDelay));
    }
  }
}

/** Checks backoff options; `prefix` names the owner in the error ('retry'). */
export function validateBackoff(o: BackoffOptions, prefix: string): BackoffOptions {
  checkNumber(`${prefix}.baseDelay`, o.baseDelay, 0);
  checkNumber(`${prefix}.maxDelay`, o.maxDelay, 0);
  if (o.maxDelay < o.baseDelay) {
    throw new ValidationError(`${prefix}.maxDelay`, `must be >= baseDelay (${o.baseDelay}), got ${o.maxDelay}`);
  }
  checkNumber(`${prefix}.multiplier`, o.multiplier, 1);
  if (!JITTERS.includes(o.jitter)) {
    throw new ValidationError(`${prefix}.jitter`, `must be one of ${JITTERS.join(', ')}, got ${String(o.jitter)}`);
  }
  return o;
}
