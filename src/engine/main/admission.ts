// Admission of runs into the engine: at most `limit` runs in flight (an
// adaptive limit learned from task latency, or a fixed one), a bounded queue
// of runs waiting for a place, and OverloadedError when that queue is full.
// This is the backpressure callers feel: a caller that cannot be admitted
// waits (abortably) or is refused at once, and nothing it asked for starts.
import { AbortError, OverloadedError } from '../../errors.js';
import type { ConcurrencyLimit } from '../../resilience/concurrency-limit.js';

export interface AdmissionStats {
  /** Runs admitted and not yet finished. */
  inflight: number;
  /** Runs waiting for a place. */
  queued: number;
  /** Runs allowed in flight now. */
  limit: number;
  /** Runs refused with OverloadedError since the engine started. */
  rejected: number;
  /** Runs admitted since the engine started. */
  admitted: number;
}

export interface Ticket {
  /** The run has finished: its place goes to the next waiting run. Idempotent. */
  leave(): void;
}

interface Waiter {
  admit: () => void;
  refuse: (err: Error) => void;
}

export class Admission {
  private inflight = 0;
  private rejected = 0;
  private admitted = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly limiter: ConcurrencyLimit,
    private readonly maxQueue: number,
  ) {}

  get stats(): AdmissionStats {
    return { inflight: this.inflight, queued: this.queue.length, limit: this.limiter.limit, rejected: this.rejected, admitted: this.admitted };
  }

  /** Runs in flight (for the limiter's samples and the inline decision). */
  get running(): number {
    return this.inflight;
  }

  /** One task's latency, for the adaptive limit. */
  sample(latency: number): void {
    this.limiter.sample(latency, this.inflight);
    this.drain();
  }

  /** Waits for a place (or throws OverloadedError when the queue is full, AbortError when `signal` aborts). */
  enter(signal?: AbortSignal): Promise<Ticket> {
    if (signal?.aborted === true) return Promise.reject(new AbortError('operation aborted', { cause: signal.reason }));
    if (this.queue.length === 0 && this.inflight < this.limiter.limit) return Promise.resolve(this.ticket());
    if (this.queue.length >= this.maxQueue) {
      this.rejected++;
      return Promise.reject(new OverloadedError(this.queue.length, this.limiter.limit));
    }
    return new Promise<Ticket>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new AbortError('aborted while waiting to be admitted', { cause: signal?.reason }));
      };
      const waiter: Waiter = {
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.ticket());
        },
        refuse: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Refuses every waiting run with `err` (the engine is closing). */
  refuseWaiting(err: Error): void {
    for (const w of this.queue.splice(0)) w.refuse(err);
  }

  private ticket(): Ticket {
    this.inflight++;
    this.admitted++;
    let left = false;
    return {
      leave: () => {
        if (left) return;
        left = true;
        this.inflight--;
        this.drain();
      },
    };
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inflight < this.limiter.limit) this.queue.shift()?.admit();
  }
}
