// Errors of the run itself: I/O, the worker pool and its controllers,
// cancellation, missing back ends, incomplete batch jobs. The controllers'
// errors and AbortError are the resilience library's, re-exported: they are
// HiveErrors too (see base.ts).
import { HiveError, messageOf, type HiveErrorOptions } from './base.js';

export {
  AbortError,
  CircuitOpenError,
  RetryExhaustedError,
  TimeoutError,
  type CircuitOpenErrorOptions,
} from '../resilience/errors.js';

/** A file-system or stream operation failed; wraps Node's errno errors. */
export class IoError extends HiveError {
  override readonly code = 'E_IO';
  override readonly exitCode = 7;
  readonly errno: string | undefined;
  constructor(
    readonly operation: string,
    readonly path: string | undefined,
    options?: HiveErrorOptions,
  ) {
    const errno = errnoOf(options?.cause);
    const detail = describeErrno(errno, options?.cause);
    super(`cannot ${operation}${path === undefined ? '' : ` ${path}`}: ${detail}`, options);
    this.errno = errno;
  }
}

/** A worker thread died (crashed or was terminated) while running a task. */
export class WorkerCrashedError extends HiveError {
  override readonly code = 'E_WORKER_CRASHED';
  override readonly exitCode = 11;
  constructor(message = 'worker crashed while running a task', options?: HiveErrorOptions) {
    super(message, options);
  }
}

/** A transient failure inside a worker that is worth retrying. */
export class TransientError extends HiveError {
  override readonly code = 'E_TRANSIENT';
  override readonly exitCode = 13;
}

/**
 * The engine is overloaded: its admission queue of waiting runs is full.
 * Nothing of the refused run was started; try again later (or queue less).
 */
export class OverloadedError extends HiveError {
  override readonly code = 'E_OVERLOADED';
  override readonly exitCode = 19;
  constructor(
    readonly queued: number,
    readonly limit: number,
    options?: HiveErrorOptions,
  ) {
    super(`engine overloaded: ${queued} runs already wait for one of ${limit} places; try again later`, options);
  }
}

/** A batch job (convert, manifest merge) did not cover every file: some failed, are missing or were done twice. */
export class BatchIncompleteError extends HiveError {
  override readonly code = 'E_BATCH_INCOMPLETE';
  override readonly exitCode = 15;
}

/** A job manifest cannot be read, or belongs to a job with other settings. */
export class ManifestError extends HiveError {
  override readonly code = 'E_MANIFEST';
  override readonly exitCode = 16;
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: HiveErrorOptions,
  ) {
    super(`manifest ${path}: ${reason}`, options);
  }
}

/** A requested back end (hash or LZ4 implementation) cannot be loaded here. */
export class BackendUnavailableError extends HiveError {
  override readonly code = 'E_BACKEND_UNAVAILABLE';
  override readonly exitCode = 14;
}

function errnoOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code: unknown = err.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  EPIPE: 'broken pipe (the reader went away)',
  EMFILE: 'too many open files',
};

function describeErrno(errno: string | undefined, cause: unknown): string {
  if (errno !== undefined && ERRNO_TEXT[errno] !== undefined) return `${ERRNO_TEXT[errno]} (${errno})`;
  return messageOf(cause);
}
