// One error hierarchy for the whole engine, rooted at HiveError: see
// errors/base.ts. Bad-input errors (all extending InputError) are in
// errors/input.ts, errors of the run (I/O, pool, controllers, cancellation)
// in errors/runtime.ts.
import { InputError } from './errors/input.js';

export * from './errors/base.js';
export * from './errors/input.js';
export * from './errors/runtime.js';

/** Bad-input errors never get better on retry and must not trip a breaker. */
export function isBadInputError(err: unknown): err is InputError {
  return err instanceof InputError;
}
