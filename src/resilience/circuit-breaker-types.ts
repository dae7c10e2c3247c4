// Options, events, stats and the persisted snapshot of a CircuitBreaker.
import type { CircuitOpenError } from './errors.js';
import type { Clock } from './clock.js';

export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Why the breaker opened. */
export type OpenReason = 'consecutive-failures' | 'failure-rate' | 'half-open-failure' | 'isolated';

export interface CircuitBreakerOptions {
  /** Used in error messages. Default 'circuit'. */
  name?: string;
  /** Consecutive failures (while closed) that open the breaker. Default 5; Infinity turns this off. */
  failureThreshold?: number;
  /**
   * Failure rate over the rolling window (failures / calls, in (0, 1]) that
   * opens the breaker once `minimumCalls` calls are in the window. Default
   * 0.5; null turns rate tripping off.
   */
  failureRateThreshold?: number | null;
  /** Calls the window must hold before the rate may trip it. Default 20. */
  minimumCalls?: number;
  /** Length of the rolling window, ms. Default 300 000 (5 min). */
  windowMs?: number;
  /** Buckets the window is kept in; calls expire within windowMs / windowBuckets. Default 60. */
  windowBuckets?: number;
  /** Successful probes in half-open that close the breaker. Default 3. */
  successThreshold?: number;
  /** How long the breaker stays open before it half-opens, ms. Default 60 000. */
  openMs?: number;
  /** Each re-open straight from half-open multiplies the open time by this. Default 1 (no growth). */
  openBackoff?: number;
  /** Ceiling for the grown open time, ms. Default max(openMs, 600 000). */
  maxOpenMs?: number;
  /** Probes allowed in flight at once while half-open; more calls are refused. Default 1. */
  halfOpenMaxProbes?: number;
  /**
   * Whether an error counts against the dependency. Default: every error
   * does. Errors it rejects pass through and count as neither success nor
   * failure; so do those a caller excuses (execute's `isBadInput`) and any
   * error of a call whose caller's signal had aborted: a cancelled call is
   * no verdict on the dependency.
   */
  isFailure?: (err: unknown) => boolean;
  clock?: Clock;
  /** A snapshot from toJSON() to resume from, e.g. after a restart. */
  state?: CircuitBreakerSnapshot;
}

export const circuitBreakerDefaults = {
  name: 'circuit',
  failureThreshold: 5,
  failureRateThreshold: 0.5,
  minimumCalls: 20,
  windowMs: 300_000,
  windowBuckets: 60,
  successThreshold: 3,
  openMs: 60_000,
  openBackoff: 1,
  maxOpenMs: 600_000,
  halfOpenMaxProbes: 1,
} as const;

/** Every error counts: the breaker knows no bad input unless told (isFailure, or execute's isBadInput). */
export function defaultIsFailure(_err: unknown): boolean {
  return true;
}

export interface StateChangeEvent {
  from: CircuitState;
  to: CircuitState;
}

export interface OpenEvent {
  reason: OpenReason;
  /** The failure that tripped it (undefined for isolate()). */
  error: unknown;
  /** How long it stays open (Infinity when isolated). */
  openMs: number;
  /** Clock time at which it half-opens (Infinity when isolated). */
  openUntil: number;
  /** Re-opens since the breaker last closed (0 for the first open). */
  reopens: number;
}

export interface CircuitBreakerEvents {
  /** Every transition; fired after the specific open/halfOpen/close event. */
  stateChange: StateChangeEvent;
  open: OpenEvent;
  halfOpen: { openedFor: number };
  close: { probes: number };
  /** A call refused without running (open, isolated, or half-open at its probe cap). */
  rejected: { state: CircuitState; error: CircuitOpenError };
  success: { state: CircuitState; durationMs: number };
  failure: { state: CircuitState; error: unknown; durationMs: number };
}

export interface CircuitBreakerStats {
  name: string;
  state: CircuitState;
  /** Calls admitted (run), whatever their outcome. */
  calls: number;
  successes: number;
  failures: number;
  /** Calls that ended in an error isFailure rejected, or that the caller aborted. */
  ignored: number;
  rejected: number;
  /** Times the breaker opened (isolate() included). */
  opens: number;
  consecutiveFailures: number;
  window: { calls: number; failures: number; failureRate: number };
  halfOpen: { successes: number; probesInFlight: number };
  /** Current open time, grown by openBackoff on re-opens. */
  openMs: number;
  /** Clock time at which an open breaker half-opens; null unless open. */
  openUntil: number | null;
}

/** What toJSON() exports and the `state` option restores. Times are clock times. */
export interface CircuitBreakerSnapshot {
  state: CircuitState;
  openedAt: number | null;
  openUntil: number | null;
  /** Current open time (grown by backoff). */
  openMs: number;
  reopens: number;
  consecutiveFailures: number;
}
