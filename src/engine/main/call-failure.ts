// A failed call batch, as the run ends with it. The caller's own errors come
// back as ProcessError already; after retries, the last one is unwrapped
// and counts the attempts. A crash or a hard deadline is named by the slot
// whose call was running (its `calling` field was left at 1). Everything
// else (bad data, an abort, the breaker) stays what it is.
import { ProcessError, RetryExhaustedError, TimeoutError, WorkerCrashedError } from '../../errors.js';
import type { RingView } from '../contract/slots.js';

export function callFailure(ring: RingView, err: unknown, slots: number[]): unknown {
  const inner: unknown = err instanceof RetryExhaustedError ? err.cause : err;
  const attempts = err instanceof RetryExhaustedError ? err.attempts : 1;
  if (inner instanceof ProcessError) {
    return attempts === inner.attempts ? inner : new ProcessError(inner.sequence, inner.offset, inner.reason, { cause: inner.cause, attempts });
  }
  const reason = inner instanceof TimeoutError ? 'timeout' : inner instanceof WorkerCrashedError ? 'crash' : undefined;
  const running = slots.find((slot) => ring.get(slot, 'calling') === 1);
  if (reason === undefined || running === undefined) return err;
  return new ProcessError(ring.get(running, 'sequence'), ring.get(running, 'offset'), reason, { cause: inner, attempts });
}
