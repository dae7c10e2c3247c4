// The one shape every controller shares, so they compose in any order.

/** An operation run under a policy; it should stop work when `signal` aborts. */
export type Operation<T> = (signal: AbortSignal) => Promise<T>;

export interface Policy {
  /**
   * Runs `fn` under the policy. `signal` is the caller's cancellation; `fn`
   * receives a signal that aborts when the caller's does (and, for a Timeout,
   * at the deadline).
   */
  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * Handed to operations when the caller gave no signal: one shared, never
 * aborted signal, so the hot path allocates no AbortController.
 */
export const neverAborted: AbortSignal = new AbortController().signal;

/** Calls `fn`, turning a synchronous throw into a rejection. */
export function invoke<T>(fn: Operation<T>, signal: AbortSignal): Promise<T> {
  try {
    return fn(signal);
  } catch (err) {
    return rejected(err);
  }
}

/** A promise rejected with `err` as is, whatever it is (an op may throw a non-Error). */
// eslint-disable-next-line @typescript-eslint/require-await -- async is the point: it turns the throw into a rejection
async function rejected(err: unknown): Promise<never> {
  throw err;
}

/**
 * Composes policies, the first outermost: `wrap(retry, breaker, timeout)`
 * runs each call as retry(breaker(timeout(fn))).
 */
export function wrap(...policies: Policy[]): Policy {
  const chain = policies.slice();
  const outer = chain[0];
  if (outer === undefined) return { execute: (fn, signal) => invoke(fn, signal ?? neverAborted) };
  return {
    execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
      // One closure per inner policy per call: each binds the next layer.
      let inner = fn;
      for (let i = chain.length - 1; i > 0; i--) {
        const policy = chain[i] as Policy;
        const next = inner;
        inner = (s) => policy.execute(next, s);
      }
      return outer.execute(inner, signal);
    },
  };
}
