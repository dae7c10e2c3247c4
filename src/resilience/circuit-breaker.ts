// Stops calling a dependency that keeps failing, so it can recover and callers
// fail fast instead of piling up: closed -> open -> half-open -> closed.
import { CircuitOpenError, ValidationError } from '../errors.js';
import { systemClock, unrefTimer, type Clock, type TimerHandle } from './clock.js';
import {
  circuitBreakerDefaults as D,
  defaultIsFailure,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitBreakerStats,
  type CircuitState,
  type OpenReason,
} from './circuit-breaker-types.js';
import { Observable } from './events.js';
import { invoke, neverAborted, type Operation, type Policy } from './policy.js';
import { RollingWindow } from './rolling-window.js';
import { checkFunction, checkInteger, checkNumber, checkPositive, checkRate } from './validate.js';

const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open', 'isolated'];

export class CircuitBreaker extends Observable<CircuitBreakerEvents> implements Policy {
  readonly name: string;
  readonly #clock: Clock;
  readonly #isFailure: (err: unknown) => boolean;
  readonly #failureThreshold: number;
  readonly #rate: number | null;
  readonly #minimumCalls: number;
  readonly #successThreshold: number;
  readonly #baseOpenMs: number;
  readonly #openBackoff: number;
  readonly #maxOpenMs: number;
  readonly #maxProbes: number;
  readonly #window: RollingWindow;

  #state: CircuitState = 'closed';
  // Bumped on every transition: an outcome from a call admitted under an
  // older generation is counted in stats but cannot move the state machine.
  #gen = 0;
  #consecutiveFailures = 0;
  #halfOpenSuccesses = 0;
  #probes = 0;
  #openMs: number;
  #reopens = 0;
  #openedAt: number | null = null;
  #openUntil: number | null = null;
  #timer: TimerHandle | undefined;
  #calls = 0;
  #successes = 0;
  #failures = 0;
  #ignored = 0;
  #rejected = 0;
  #opens = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    super();
    const o = { ...D, ...stripUndefined(options) };
    const f = (k: string): string => `circuitBreaker.${k}`;
    this.name = o.name;
    this.#clock = options.clock ?? systemClock;
    this.#isFailure = options.isFailure ?? defaultIsFailure;
    checkFunction(f('isFailure'), this.#isFailure);
    this.#failureThreshold = checkInteger(f('failureThreshold'), o.failureThreshold, 1, true);
    this.#rate = o.failureRateThreshold === null ? null : checkRate(f('failureRateThreshold'), o.failureRateThreshold);
    this.#minimumCalls = checkInteger(f('minimumCalls'), o.minimumCalls, 1);
    this.#successThreshold = checkInteger(f('successThreshold'), o.successThreshold, 1);
    this.#baseOpenMs = checkNumber(f('openMs'), o.openMs, 0);
    this.#openBackoff = checkNumber(f('openBackoff'), o.openBackoff, 1);
    const maxOpenMs = options.maxOpenMs ?? Math.max(o.openMs, D.maxOpenMs);
    this.#maxOpenMs = checkNumber(f('maxOpenMs'), maxOpenMs, this.#baseOpenMs, true);
    this.#maxProbes = checkInteger(f('halfOpenMaxProbes'), o.halfOpenMaxProbes, 1);
    const windowMs = checkPositive(f('windowMs'), o.windowMs);
    const buckets = checkInteger(f('windowBuckets'), o.windowBuckets, 1);
    this.#window = new RollingWindow(windowMs, buckets);
    this.#openMs = this.#baseOpenMs;
    if (options.state !== undefined) this.#restore(options.state);
  }

  get state(): CircuitState {
    return this.#state;
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    if (this.#state !== 'closed') {
      const refusal = this.#admit();
      if (refusal !== undefined) return Promise.reject(refusal);
    }
    const gen = this.#gen;
    const state = this.#state;
    this.#calls++;
    const timed = this.hasListeners('success') || this.hasListeners('failure');
    const started = timed ? this.#clock.now() : 0;
    return invoke(fn, signal ?? neverAborted).then(
      (value) => {
        this.#onSuccess(gen, state, started);
        return value;
      },
      (err: unknown) => {
        this.#onError(gen, state, started, err, signal);
        throw err;
      },
    );
  }

  /** Forces the breaker open until reset(); every call is refused meanwhile. */
  isolate(): void {
    if (this.#state === 'isolated') return;
    this.#clearTimer();
    this.#openedAt = this.#clock.now();
    this.#openUntil = null;
    this.#opens++;
    const from = this.#transition('isolated');
    this.emit('open', { reason: 'isolated', error: undefined, openMs: Infinity, openUntil: Infinity, reopens: this.#reopens });
    this.emit('stateChange', { from, to: 'isolated' });
  }

  /** Closes the breaker and forgets its history (not the lifetime counters in stats). */
  reset(): void {
    this.#clearTimer();
    this.#openMs = this.#baseOpenMs;
    this.#reopens = 0;
    this.#openedAt = null;
    this.#openUntil = null;
    if (this.#state === 'closed') {
      this.#consecutiveFailures = 0;
      this.#window.reset();
      return;
    }
    const from = this.#transition('closed');
    this.emit('close', { probes: 0 });
    this.emit('stateChange', { from, to: 'closed' });
  }

  stats(): CircuitBreakerStats {
    const w = this.#window.counts(this.#clock.now());
    return {
      name: this.name,
      state: this.#state,
      calls: this.#calls,
      successes: this.#successes,
      failures: this.#failures,
      ignored: this.#ignored,
      rejected: this.#rejected,
      opens: this.#opens,
      consecutiveFailures: this.#consecutiveFailures,
      window: { calls: w.calls, failures: w.failures, failureRate: w.calls === 0 ? 0 : w.failures / w.calls },
      halfOpen: { successes: this.#halfOpenSuccesses, probesInFlight: this.#probes },
      openMs: this.#openMs,
      openUntil: this.#state === 'open' ? this.#openUntil : null,
    };
  }

  toJSON(): CircuitBreakerSnapshot {
    return {
      state: this.#state,
      openedAt: this.#openedAt,
      openUntil: this.#openUntil,
      openMs: this.#openMs,
      reopens: this.#reopens,
      consecutiveFailures: this.#consecutiveFailures,
    };
  }

  /** Returns the error refusing the call, or undefined when it may run (taking a probe slot). */
  #admit(): CircuitOpenError | undefined {
    if (this.#state === 'open' && this.#openUntil !== null && this.#clock.now() >= this.#openUntil) {
      // The timer may be late (or the clock has none to fire): time decides.
      this.#halfOpen();
    }
    if (this.#state === 'half-open' && this.#probes < this.#maxProbes) {
      this.#probes++;
      return undefined;
    }
    const error = this.#refusal();
    this.#rejected++;
    if (this.hasListeners('rejected')) this.emit('rejected', { state: this.#state, error });
    return error;
  }

  #refusal(): CircuitOpenError {
    const state = this.#state;
    if (state === 'half-open') {
      return new CircuitOpenError(`${this.name} is half-open with ${this.#probes} probe(s) in flight: call refused`, { state });
    }
    if (state === 'isolated') return new CircuitOpenError(`${this.name} is isolated: calls are refused`, { state });
    const retryAfterMs = Math.max(0, (this.#openUntil ?? 0) - this.#clock.now());
    return new CircuitOpenError(`${this.name} is open: calls are refused for ${Math.ceil(retryAfterMs)} ms`, {
      state,
      retryAfterMs,
    });
  }

  #onSuccess(gen: number, state: CircuitState, started: number): void {
    this.#successes++;
    if (this.hasListeners('success')) this.emit('success', { state, durationMs: this.#clock.now() - started });
    if (gen !== this.#gen) return;
    if (state === 'closed') {
      this.#consecutiveFailures = 0;
      if (this.#rate !== null) this.#window.record(this.#clock.now(), false);
      return;
    }
    this.#probes--;
    if (++this.#halfOpenSuccesses >= this.#successThreshold) this.#close();
  }

  #onError(gen: number, state: CircuitState, started: number, err: unknown, signal?: AbortSignal): void {
    const current = gen === this.#gen;
    // A call the caller cancelled, or an error the predicate excuses, says
    // nothing about the dependency: it frees its probe slot and counts as neither.
    if (signal?.aborted === true || !this.#isFailure(err)) {
      this.#ignored++;
      if (current && state === 'half-open') this.#probes--;
      return;
    }
    this.#failures++;
    if (this.hasListeners('failure')) this.emit('failure', { state, error: err, durationMs: this.#clock.now() - started });
    if (!current) return;
    if (state === 'half-open') {
      this.#open('half-open-failure', err);
      return;
    }
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures >= this.#failureThreshold) {
      this.#open('consecutive-failures', err);
      return;
    }
    if (this.#rate === null) return;
    const now = this.#clock.now();
    this.#window.record(now, true);
    const w = this.#window.counts(now);
    if (w.calls >= this.#minimumCalls && w.failures / w.calls >= this.#rate) this.#open('failure-rate', err);
  }

  #open(reason: OpenReason, error: unknown): void {
    if (reason === 'half-open-failure') {
      this.#reopens++;
      this.#openMs = Math.min(this.#openMs * this.#openBackoff, this.#maxOpenMs);
    } else {
      this.#reopens = 0;
      this.#openMs = this.#baseOpenMs;
    }
    const now = this.#clock.now();
    this.#openedAt = now;
    this.#openUntil = now + this.#openMs;
    this.#opens++;
    const from = this.#transition('open');
    this.#schedule(this.#openMs);
    this.emit('open', { reason, error, openMs: this.#openMs, openUntil: this.#openUntil, reopens: this.#reopens });
    this.emit('stateChange', { from, to: 'open' });
  }

  #halfOpen(): void {
    const openedFor = this.#clock.now() - (this.#openedAt ?? this.#clock.now());
    this.#clearTimer();
    this.#openUntil = null;
    const from = this.#transition('half-open');
    this.emit('halfOpen', { openedFor });
    this.emit('stateChange', { from, to: 'half-open' });
  }

  #close(): void {
    const probes = this.#halfOpenSuccesses;
    this.#openMs = this.#baseOpenMs;
    this.#reopens = 0;
    this.#openedAt = null;
    this.#openUntil = null;
    const from = this.#transition('closed');
    this.emit('close', { probes });
    this.emit('stateChange', { from, to: 'closed' });
  }

  /** Moves to `to` with fresh per-state counters; returns the state left. */
  #transition(to: CircuitState): CircuitState {
    const from = this.#state;
    this.#state = to;
    this.#gen++;
    this.#consecutiveFailures = 0;
    this.#halfOpenSuccesses = 0;
    this.#probes = 0;
    this.#window.reset();
    return from;
  }

  /** Half-opens on time even if no call arrives; unref'd so it never holds the process open. */
  #schedule(ms: number): void {
    this.#clearTimer();
    const gen = this.#gen;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#gen === gen && this.#state === 'open') this.#halfOpen();
    }, ms);
    unrefTimer(this.#timer);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #restore(s: CircuitBreakerSnapshot): void {
    if (typeof s !== 'object' || !STATES.includes(s.state)) {
      throw new ValidationError('circuitBreaker.state', 'is not a snapshot from CircuitBreaker.toJSON()');
    }
    this.#openMs = checkNumber('circuitBreaker.state.openMs', s.openMs, 0);
    this.#reopens = checkInteger('circuitBreaker.state.reopens', s.reopens, 0);
    this.#consecutiveFailures =
      s.state === 'closed' ? checkInteger('circuitBreaker.state.consecutiveFailures', s.consecutiveFailures, 0) : 0;
    this.#openedAt = s.openedAt;
    this.#state = s.state;
    if (s.state !== 'open') return;
    const until = s.openUntil ?? 0;
    if (!Number.isFinite(until)) throw new ValidationError('circuitBreaker.state.openUntil', 'must be a finite time');
    const left = until - this.#clock.now();
    if (left > 0) {
      // Still open for the rest of its time, as if the process had never stopped.
      this.#openUntil = until;
      this.#schedule(left);
    } else {
      this.#state = 'half-open';
      this.#openUntil = null;
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
