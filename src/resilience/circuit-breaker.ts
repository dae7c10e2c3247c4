// Stops calling a dependency that keeps failing, so it can recover and callers
// fail fast instead of piling up: closed -> open -> half-open -> closed.
// Options and their defaults are documented in circuit-breaker-types.ts.
import { CircuitOpenError } from './errors.js';
import { unrefTimer, type Clock, type TimerHandle } from './clock.js';
import { breakerConfig, checkSnapshot, type BreakerConfig } from './circuit-breaker-config.js';
import type {
  CircuitBreakerEvents,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitState,
  OpenReason,
} from './circuit-breaker-types.js';
import { Observable } from './events.js';
import { invoke, neverAborted, type Operation, type Policy } from './policy.js';
import { RollingWindow } from './rolling-window.js';

export class CircuitBreaker extends Observable<CircuitBreakerEvents> implements Policy {
  readonly name: string;
  readonly #c: BreakerConfig;
  readonly #clock: Clock;
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
    this.#c = breakerConfig(options);
    this.name = this.#c.name;
    this.#clock = this.#c.clock;
    this.#window = new RollingWindow(this.#c.windowMs, this.#c.windowBuckets, this.#clock);
    this.#openMs = this.#c.openMs;
    this.#bindClosed();
    if (options.state !== undefined) this.#restore(checkSnapshot(options.state));
  }

  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Runs `fn` if the breaker admits the call. `isBadInput` names errors that
   * this caller knows say nothing about the dependency (bad input it
   * passed): they count as neither success nor failure, whatever the
   * breaker's own `isFailure` says. It lets a caller that shares a breaker
   * it did not configure keep its bad input off it.
   */
  execute<T>(fn: Operation<T>, signal?: AbortSignal, isBadInput?: (err: unknown) => boolean): Promise<T> {
    if (this.#state !== 'closed') {
      const refusal = this.#admit();
      if (refusal !== undefined) return Promise.reject(refusal);
    }
    this.#calls++;
    const timed = this.hasListeners('success') || this.hasListeners('failure');
    if (this.#state === 'closed' && !timed && (signal === undefined || signal === neverAborted) && isBadInput === undefined) {
      // Hot path: nothing per call to remember, so no closures to allocate.
      return invoke(fn, neverAborted).then(this.#closedSuccess, this.#closedFailure);
    }
    const gen = this.#gen;
    const state = this.#state;
    const started = timed ? this.#clock.now() : 0;
    return invoke(fn, signal ?? neverAborted).then(
      (value) => {
        this.#onSuccess(gen, state, started);
        return value;
      },
      (err: unknown) => {
        this.#onError(gen, state, started, err, signal, isBadInput);
        throw err;
      },
    );
  }

  // The hot path's outcome handlers: no per-call state, bound to the current
  // closed generation (rebound on each close by #bindClosed).
  #closedSuccess = <T>(value: T): T => value;
  #closedFailure = (err: unknown): never => {
    throw err;
  };

  #bindClosed(): void {
    const gen = this.#gen;
    this.#closedSuccess = (value) => {
      this.#onSuccess(gen, 'closed', 0);
      return value;
    };
    this.#closedFailure = (err) => {
      this.#onError(gen, 'closed', 0, err, undefined);
      throw err;
    };
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
    this.#openMs = this.#c.openMs;
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
    const w = this.#window.counts();
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
    if (this.#state === 'half-open' && this.#probes < this.#c.maxProbes) {
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
      if (this.#c.rate !== null) this.#window.record(false);
      return;
    }
    this.#probes--;
    if (++this.#halfOpenSuccesses >= this.#c.successThreshold) this.#close();
  }

  #onError(gen: number, state: CircuitState, started: number, err: unknown, signal?: AbortSignal, isBadInput?: (err: unknown) => boolean): void {
    const current = gen === this.#gen;
    // A call the caller cancelled, or an error a predicate excuses, says
    // nothing about the dependency: it frees its probe slot and counts as neither.
    if (signal?.aborted === true || isBadInput?.(err) === true || !this.#c.isFailure(err)) {
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
    if (this.#consecutiveFailures >= this.#c.failureThreshold) {
      this.#open('consecutive-failures', err);
      return;
    }
    const rate = this.#c.rate;
    if (rate === null) return;
    this.#window.record(true);
    const w = this.#window.counts();
    if (w.calls >= this.#c.minimumCalls && w.failures / w.calls >= rate) this.#open('failure-rate', err);
  }

  #open(reason: OpenReason, error: unknown): void {
    if (reason === 'half-open-failure') {
      this.#reopens++;
      this.#openMs = Math.min(this.#openMs * this.#c.openBackoff, this.#c.maxOpenMs);
    } else {
      this.#reopens = 0;
      this.#openMs = this.#c.openMs;
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
    this.#openMs = this.#c.openMs;
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
    if (to === 'closed') this.#bindClosed();
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
    this.#openMs = s.openMs;
    this.#reopens = s.reopens;
    this.#consecutiveFailures = s.state === 'closed' ? s.consecutiveFailures : 0;
    this.#openedAt = s.openedAt;
    this.#state = s.state;
    if (s.state !== 'open') return;
    const until = s.openUntil ?? 0;
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
