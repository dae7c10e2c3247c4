// Resilience controllers: circuit breaker, retry with backoff, timeout, and a
// coordinator composing them. All take an injectable Clock (FakeClock in tests).
// A standalone library: it imports nothing from the rest of hivestream (lint
// enforces it), and is tested beside its code.
export {
  AbortError,
  CircuitOpenError,
  ResilienceError,
  RetryExhaustedError,
  TimeoutError,
  ValidationError,
  type CircuitOpenErrorOptions,
  type ResilienceErrorCode,
  type ResilienceErrorOptions,
} from './errors.js';
export { systemClock, sleep, unrefTimer, type Clock, type TimerHandle } from './clock.js';
export { FakeClock } from './fake-clock.js';
export { Observable, type Listener, type EventMap } from './events.js';
export { neverAborted, wrap, type Operation, type Policy } from './policy.js';
export { seededRandom, type RandomSource } from './random.js';
export {
  DECORRELATED_FACTOR,
  JITTERS,
  computeDelay,
  exponentialDelay,
  validateBackoff,
  type BackoffOptions,
  type Jitter,
} from './backoff.js';
export { RollingWindow, type WindowCounts } from './rolling-window.js';
export { CircuitBreaker } from './circuit-breaker.js';
export {
  circuitBreakerDefaults,
  defaultIsFailure,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitBreakerStats,
  type CircuitState,
  type OpenEvent,
  type OpenReason,
  type StateChangeEvent,
} from './circuit-breaker-types.js';
export {
  Retry,
  defaultRetryable,
  retryDefaults,
  type GiveUpReason,
  type RetryEvents,
  type RetryOptions,
  type RetryStats,
} from './retry.js';
export { Timeout, type TimeoutEvents, type TimeoutOptions, type TimeoutStats } from './timeout.js';
export {
  ErrorRecoveryCoordinator,
  type ErrorRecoveryOptions,
  type ErrorRecoveryStats,
} from './coordinator.js';
export { AimdLimit, GradientLimit, type AimdOptions, type ConcurrencyLimit, type GradientOptions, type LimitBounds } from './concurrency-limit.js';
