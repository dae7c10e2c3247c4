// Waits on things hivestream does not control (a source's next chunk, a
// sink's drain, a FIFO's open) settle as soon as the run is aborted: the
// operation itself may go on, but nobody waits for it any longer.
import { AbortError } from '../errors.js';

/** `p`, or an AbortError as soon as `signal` aborts (whichever comes first). */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      p.catch(() => undefined);
      reject(abortError(signal, what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** The signal's reason when it is an AbortError already (the run's), else a new one naming the wait. */
export function abortError(signal: AbortSignal, what: string): AbortError {
  const reason: unknown = signal.reason;
  return reason instanceof AbortError ? reason : new AbortError(`aborted while ${what}`, { cause: reason });
}
