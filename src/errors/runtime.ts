// Errors of the run itself: I/O, the worker pool and its controllers,
// cancellation, missing back ends, incomplete batch jobs.
import { HiveError, messageOf, type HiveErrorOptions } from './base.js';

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

export interface CircuitOpenErrorOptions extends HiveErrorOptions {
  /** State of the breaker that refused the call ('open', 'half-open', 'isolated'). */
  state?: string;
  /** How long until the breaker lets a probe through, when known. */
  retryAfterMs?: number;
}

/** The circuit breaker is open: calls are refused until it half-opens. */
export class CircuitOpenError extends HiveError {
  override readonly code = 'E_CIRCUIT_OPEN';
  override readonly exitCode = 8;
  readonly state: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message = 'circuit breaker is open: calls are refused', options?: CircuitOpenErrorOptions) {
    super(message, options);
    this.state = options?.state;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Every retry attempt failed; `cause` is the last failure. */
export class RetryExhaustedError extends HiveError {
  override readonly code = 'E_RETRY_EXHAUSTED';
  override readonly exitCode = 9;
  constructor(
    readonly attempts: number,
    cause: unknown,
    what = 'operation',
  ) {
    super(`${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${messageOf(cause)}`, { cause });
  }
}

/** An operation ran past its deadline. */
export class TimeoutError extends HiveError {
  override readonly code = 'E_TIMEOUT';
  override readonly exitCode = 10;
  constructor(
    readonly timeoutMs: number,
    what = 'operation',
    options?: HiveErrorOptions,
  ) {
    super(`${what} timed out after ${timeoutMs} ms`, options);
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

/** The caller aborted the operation through its AbortSignal. */
export class AbortError extends HiveError {
  override readonly code = 'E_ABORTED';
  override readonly exitCode = 130;
  constructor(message = 'operation aborted', options?: HiveErrorOptions) {
    super(message, options);
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
