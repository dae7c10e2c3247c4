// Fault injection, for tests and for users who rehearse failure: workers
// crash, throw a transient error, or stall at the given rates. Decisions are
// drawn on the main thread from a seeded PRNG, one per task attempt, and the
// worker acts on the one its task carries.
import { ValidationError } from '../../errors.js';
import { Prng } from '../../util/prng.js';

export type Fault = 'crash' | 'error' | 'stall';

export interface FaultRates {
  crash?: number;
  error?: number;
  stall?: number;
}

export interface FaultOptions extends FaultRates {
  seed?: number;
  /** How long a stalled task hangs (default: 3 x the task timeout). */
  stallMs?: number;
}

/** Parses "crash=0.05,error=0.05,stall=0.01". */
export function parseFaults(text: string): FaultRates {
  const rates: FaultRates = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const m = /^\s*(crash|error|stall)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (m === null) throw new ValidationError('--inject-faults', `${JSON.stringify(part)} is not kind=rate (kinds: crash, error, stall)`);
    rates[m[1] as Fault] = Number(m[2]);
  }
  return rates;
}

export class FaultInjector {
  private readonly prng: Prng;
  private readonly crash: number;
  private readonly error: number;
  private readonly stall: number;

  constructor(opts: FaultOptions) {
    this.crash = rate(opts.crash, 'crash');
    this.error = rate(opts.error, 'error');
    this.stall = rate(opts.stall, 'stall');
    if (this.crash + this.error + this.stall > 1) throw new ValidationError('faults', 'rates add up to more than 1');
    this.prng = new Prng(opts.seed ?? 1, 0xfa17);
  }

  get active(): boolean {
    return this.crash + this.error + this.stall > 0;
  }

  /** The fault for the next task attempt, if any. */
  next(): Fault | undefined {
    if (!this.active) return undefined;
    const r = this.prng.float();
    if (r < this.crash) return 'crash';
    if (r < this.crash + this.error) return 'error';
    if (r < this.crash + this.error + this.stall) return 'stall';
    return undefined;
  }
}

function rate(v: number | undefined, name: string): number {
  const r = v ?? 0;
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new ValidationError(`faults.${name}`, `${String(v)} is not a rate from 0 to 1`);
  return r;
}
