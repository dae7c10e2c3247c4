// Adaptive concurrency limits: how many calls may run at once, learned from
// their latency (after Netflix concurrency-limits). Each limit takes latency
// samples and the number of calls in flight when the sample was taken, and
// moves `limit` between `min` and `max`.
//
// - AimdLimit: additive increase while latency stays under a threshold,
//   multiplicative decrease when it does not (or a call was dropped).
// - GradientLimit (Gradient2): compares a long-term average latency with a
//   short-term one; when the short one rises (queueing), the gradient drops
//   below 1 and the limit shrinks; when they agree, the limit grows by a
//   small queue allowance.
import { ValidationError } from './errors.js';

export interface ConcurrencyLimit {
  /** Calls allowed in flight now (a whole number within [min, max]). */
  readonly limit: number;
  /** One finished call: its latency (any unit, used consistently), the calls in flight when it started, and whether it was dropped (failed from overload). */
  sample(latency: number, inflight: number, dropped?: boolean): void;
}

export interface LimitBounds {
  initial?: number;
  min?: number;
  max?: number;
}

function bounds(o: LimitBounds, defaults: Required<LimitBounds>): Required<LimitBounds> {
  const min = o.min ?? defaults.min;
  const max = o.max ?? defaults.max;
  const initial = o.initial ?? defaults.initial;
  if (!(Number.isFinite(min) && min >= 1 && max >= min && Number.isFinite(max))) throw new ValidationError('limit bounds', `min ${min}, max ${max} are not 1 <= min <= max`);
  return { min, max, initial: Math.min(max, Math.max(min, initial)) };
}

export interface AimdOptions extends LimitBounds {
  /** Latency above which a sample counts as a sign of overload. */
  threshold: number;
  /** Factor the limit is multiplied by on overload (default 0.9). */
  backoffRatio?: number;
}

export class AimdLimit implements ConcurrencyLimit {
  private value: number;
  private readonly b: Required<LimitBounds>;
  private readonly backoff: number;

  constructor(private readonly opts: AimdOptions) {
    this.b = bounds(opts, { initial: 20, min: 1, max: 200 });
    this.value = this.b.initial;
    this.backoff = opts.backoffRatio ?? 0.9;
    if (!(this.backoff > 0 && this.backoff < 1)) throw new ValidationError('backoffRatio', `${this.backoff} is not between 0 and 1`);
  }

  get limit(): number {
    return Math.floor(this.value);
  }

  sample(latency: number, inflight: number, dropped = false): void {
    if (dropped || latency > this.opts.threshold) this.value = Math.max(this.b.min, this.value * this.backoff);
    // Grow only when the limit is what holds calls back (not when callers are few).
    else if (inflight * 2 >= this.value) this.value = Math.min(this.b.max, this.value + 1);
  }
}

export interface GradientOptions extends LimitBounds {
  /** Samples the long-term average spans (default 600). */
  longWindow?: number;
  /** Short-term latency rising this much over the long-term one before the limit shrinks (default 1.5). */
  tolerance?: number;
  /** How far each update moves the limit towards the new estimate (default 0.2). */
  smoothing?: number;
  /** Calls allowed to queue on top of the estimate (default: the square root of the limit). */
  queueSize?: (limit: number) => number;
}

export class GradientLimit implements ConcurrencyLimit {
  private value: number;
  private readonly b: Required<LimitBounds>;
  private longRtt = 0;
  private samples = 0;
  private readonly longWindow: number;
  private readonly tolerance: number;
  private readonly smoothing: number;
  private readonly queueSize: (limit: number) => number;

  constructor(opts: GradientOptions = {}) {
    this.b = bounds(opts, { initial: 20, min: 1, max: 200 });
    this.value = this.b.initial;
    this.longWindow = opts.longWindow ?? 600;
    this.tolerance = opts.tolerance ?? 1.5;
    this.smoothing = opts.smoothing ?? 0.2;
    this.queueSize = opts.queueSize ?? ((l) => Math.max(1, Math.sqrt(l)));
  }

  get limit(): number {
    return Math.floor(this.value);
  }

  /** The long-term average latency the gradient compares against (0 before the first sample). */
  get baseline(): number {
    return this.longRtt;
  }

  sample(latency: number, inflight: number, dropped = false): void {
    if (!(latency >= 0) || !Number.isFinite(latency)) return;
    this.samples++;
    // An exponential average whose window grows to longWindow samples.
    const n = Math.min(this.samples, this.longWindow);
    this.longRtt += (latency - this.longRtt) / n;
    // A long-term average far above the short one (load went away): let it
    // drift down so the limit can grow again.
    if (this.longRtt / Math.max(latency, Number.MIN_VALUE) > 2) this.longRtt *= 0.95;
    // Callers too few to reach the limit tell nothing about it.
    if (!dropped && inflight * 2 < this.value) return;
    const gradient = dropped ? 0.5 : Math.max(0.5, Math.min(1, (this.tolerance * this.longRtt) / Math.max(latency, Number.MIN_VALUE)));
    const estimate = this.value * gradient + this.queueSize(this.value);
    const next = this.value * (1 - this.smoothing) + estimate * this.smoothing;
    this.value = Math.min(this.b.max, Math.max(this.b.min, next));
  }
}
