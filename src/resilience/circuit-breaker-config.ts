// Turns CircuitBreakerOptions into a checked configuration, and checks a
// snapshot handed back for restoring: bad values fail at construction.
import { ValidationError } from './errors.js';
import {
  circuitBreakerDefaults as D,
  defaultIsFailure,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitState,
} from './circuit-breaker-types.js';
import { systemClock, type Clock } from './clock.js';
import { checkFunction, checkInteger, checkNumber, checkPositive, checkRate } from './validate.js';

export interface BreakerConfig {
  readonly name: string;
  readonly clock: Clock;
  readonly isFailure: (err: unknown) => boolean;
  readonly failureThreshold: number;
  /** null when rate tripping is off. */
  readonly rate: number | null;
  readonly minimumCalls: number;
  readonly successThreshold: number;
  readonly openMs: number;
  readonly openBackoff: number;
  readonly maxOpenMs: number;
  readonly maxProbes: number;
  readonly windowMs: number;
  readonly windowBuckets: number;
}

const f = (k: string): string => `circuitBreaker.${k}`;

export function breakerConfig(options: CircuitBreakerOptions): BreakerConfig {
  const isFailure = options.isFailure ?? defaultIsFailure;
  checkFunction(f('isFailure'), isFailure);
  const openMs = checkNumber(f('openMs'), options.openMs ?? D.openMs, 0);
  const rate = options.failureRateThreshold === undefined ? D.failureRateThreshold : options.failureRateThreshold;
  return {
    name: options.name ?? D.name,
    clock: options.clock ?? systemClock,
    isFailure,
    failureThreshold: checkInteger(f('failureThreshold'), options.failureThreshold ?? D.failureThreshold, 1, true),
    rate: rate === null ? null : checkRate(f('failureRateThreshold'), rate),
    minimumCalls: checkInteger(f('minimumCalls'), options.minimumCalls ?? D.minimumCalls, 1),
    successThreshold: checkInteger(f('successThreshold'), options.successThreshold ?? D.successThreshold, 1),
    openMs,
    openBackoff: checkNumber(f('openBackoff'), options.openBackoff ?? D.openBackoff, 1),
    maxOpenMs: checkNumber(f('maxOpenMs'), options.maxOpenMs ?? Math.max(openMs, D.maxOpenMs), openMs, true),
    maxProbes: checkInteger(f('halfOpenMaxProbes'), options.halfOpenMaxProbes ?? D.halfOpenMaxProbes, 1),
    windowMs: checkPositive(f('windowMs'), options.windowMs ?? D.windowMs),
    windowBuckets: checkInteger(f('windowBuckets'), options.windowBuckets ?? D.windowBuckets, 1),
  };
}

const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open', 'isolated'];

/** Checks a snapshot from toJSON() (maybe read back from disk) before it is trusted. */
export function checkSnapshot(s: CircuitBreakerSnapshot): CircuitBreakerSnapshot {
  if (typeof s !== 'object' || !STATES.includes(s.state)) {
    throw new ValidationError(f('state'), 'is not a snapshot from CircuitBreaker.toJSON()');
  }
  const time = (field: string, v: number | null): number | null => {
    if (v !== null && !Number.isFinite(v)) throw new ValidationError(f(`state.${field}`), 'must be a finite time or null');
    return v;
  };
  const openedAt = time('openedAt', s.openedAt);
  const openUntil = time('openUntil', s.openUntil);
  if (s.state === 'open' && openUntil === null) {
    throw new ValidationError(f('state.openUntil'), 'an open breaker needs the time it half-opens');
  }
  return {
    state: s.state,
    openedAt,
    openUntil,
    openMs: checkNumber(f('state.openMs'), s.openMs, 0),
    reopens: checkInteger(f('state.reopens'), s.reopens, 0),
    consecutiveFailures: checkInteger(f('state.consecutiveFailures'), s.consecutiveFailures, 0),
  };
}
