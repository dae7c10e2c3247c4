// One error hierarchy for the whole engine, rooted at HiveError: see
// errors/base.ts. Bad-input errors are in errors/input.ts, errors of the run
// (I/O, pool, controllers, cancellation) in errors/runtime.ts.
import {
  ChecksumMismatchError,
  ContentTypeError,
  CorruptRecordsError,
  DtypeMismatchError,
  FormatError,
  FrameTooLargeError,
  IndexError,
  InputChangedError,
  TruncatedStreamError,
  ValidationError,
} from './errors/input.js';

export * from './errors/base.js';
export * from './errors/input.js';
export * from './errors/runtime.js';

/** Bad-input errors never get better on retry and must not trip a breaker. */
export function isBadInputError(err: unknown): boolean {
  return (
    err instanceof ValidationError ||
    err instanceof FormatError ||
    err instanceof ChecksumMismatchError ||
    err instanceof TruncatedStreamError ||
    err instanceof FrameTooLargeError ||
    err instanceof InputChangedError ||
    err instanceof ContentTypeError ||
    err instanceof DtypeMismatchError ||
    err instanceof CorruptRecordsError ||
    err instanceof IndexError
  );
}
