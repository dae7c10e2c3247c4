// Shared test helpers: operations that succeed, fail, or wait to be settled.

export const ok = (): Promise<string> => Promise.resolve('ok');

export const boom = (message = 'boom'): (() => Promise<never>) => {
  return () => Promise.reject(new Error(message));
};

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

export function deferred<T = string>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise continuations run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Settles `p` into a value or the error it rejected with, for expect(). */
export function settle(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => v,
    (e: unknown) => e,
  );
}

/** Bad input as a program using the library defines it: the library knows no such class. */
export class BadRequest extends Error {}

export const isBadRequest = (err: unknown): boolean => err instanceof BadRequest;
