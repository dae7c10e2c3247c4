// One error hierarchy for the whole engine. Every error has a stable `code`
// (for programs) and an `exitCode` (for the CLI); causes are chained through
// the standard `cause` option so nothing below is lost.

export interface HiveErrorOptions {
  cause?: unknown;
}

export class HiveError extends Error {
  readonly code: string = 'E_HIVESTREAM';
  /** Process exit code the CLI uses for this kind of failure. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: HiveErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** A caller-supplied value (option, argument, record field) is not acceptable. */
export class ValidationError extends HiveError {
  override readonly code = 'E_VALIDATION';
  override readonly exitCode = 2;
  constructor(
    readonly field: string,
    readonly reason: string,
    options?: HiveErrorOptions,
  ) {
    super(`invalid ${field}: ${reason}`, options);
  }
}

/** Where in a container (or a stream) something was found. */
export interface Location {
  /** Chunk sequence number, when the problem belongs to a chunk. */
  sequence?: number;
  /** Byte offset in the container (or input) where the problem starts. */
  offset?: number;
  /** Record or header field concerned. */
  field?: string;
}

function where(loc: Location): string {
  const parts: string[] = [];
  if (loc.sequence !== undefined) parts.push(`chunk ${loc.sequence}`);
  if (loc.offset !== undefined) parts.push(`byte offset ${loc.offset}`);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The bytes are not a well-formed hivestream container. */
export class FormatError extends HiveError {
  override readonly code = 'E_FORMAT';
  override readonly exitCode = 3;
  readonly sequence: number | undefined;
  readonly offset: number | undefined;
  readonly field: string | undefined;
  constructor(
    readonly reason: string,
    loc: Location = {},
    options?: HiveErrorOptions,
  ) {
    super(`${reason}${where(loc)}`, options);
    this.sequence = loc.sequence;
    this.offset = loc.offset;
    this.field = loc.field;
  }
}

/** A chunk's (or the stream's) SHA-256 does not match what was stored. */
export class ChecksumMismatchError extends HiveError {
  override readonly code = 'E_CHECKSUM';
  override readonly exitCode = 4;
  constructor(
    /** Chunk sequence, or -1 for the whole-stream root digest. */
    readonly sequence: number,
    /** Byte offset of the chunk's block in the container. */
    readonly offset: number,
    readonly expected: string,
    readonly actual: string,
    /** Byte offset of the chunk in the original stream. */
    readonly streamOffset?: number,
    options?: HiveErrorOptions,
  ) {
    const what = sequence < 0 ? 'stream root digest' : `chunk ${sequence}`;
    const raw = streamOffset === undefined ? '' : `, stream offset ${streamOffset}`;
    super(
      `checksum mismatch in ${what} (byte offset ${offset}${raw}): expected ${expected.slice(0, 16)}…, got ${actual.slice(0, 16)}…`,
      options,
    );
  }
}

/** The stream ended before its final chunk (or in the middle of a block). */
export class TruncatedStreamError extends HiveError {
  override readonly code = 'E_TRUNCATED';
  override readonly exitCode = 5;
  constructor(
    readonly offset: number,
    readonly reason: string,
    readonly sequence?: number,
    options?: HiveErrorOptions,
  ) {
    super(`truncated container: ${reason}${where({ sequence, offset })}`, options);
  }
}

/** A block, record or header claims more bytes than the configured limit. */
export class FrameTooLargeError extends HiveError {
  override readonly code = 'E_FRAME_TOO_LARGE';
  override readonly exitCode = 6;
  constructor(
    readonly what: string,
    readonly claimed: number,
    readonly limit: number,
    readonly offset: number,
    readonly sequence?: number,
    options?: HiveErrorOptions,
  ) {
    super(`${what} claims ${claimed} bytes, over the limit of ${limit}${where({ sequence, offset })}`, options);
  }
}

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

/** An input file changed (size or modification time) while it was read. */
export class InputChangedError extends HiveError {
  override readonly code = 'E_INPUT_CHANGED';
  override readonly exitCode = 12;
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: HiveErrorOptions,
  ) {
    super(`input ${path} changed while it was read: ${reason}`, options);
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

/** A container holds another kind of content than the reader expects (header hivestream.content_type). */
export class ContentTypeError extends HiveError {
  override readonly code = 'E_CONTENT_TYPE';
  override readonly exitCode = 15;
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
    options?: HiveErrorOptions,
  ) {
    const found = actual === undefined ? 'no content type' : JSON.stringify(actual);
    super(`container holds ${found}, expected ${JSON.stringify(expected)} (header hivestream.content_type)`, options);
  }
}

/** A tensor's stored dtype differs from the one the caller asked for. */
export class DtypeMismatchError extends HiveError {
  override readonly code = 'E_DTYPE';
  override readonly exitCode = 16;
  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly where: string,
    options?: HiveErrorOptions,
  ) {
    super(`dtype mismatch in ${where}: stored ${actual}, requested ${expected}`, options);
  }
}

/** Corrupt chunks held these records, which cannot be read; `cause` is the first chunk's error. */
export class CorruptRecordsError extends HiveError {
  override readonly code = 'E_CORRUPT_RECORDS';
  override readonly exitCode = 4;
  constructor(
    /** First record affected. */
    readonly firstRecord: number,
    /** Last record affected, or undefined when the damage runs to the end of the dataset. */
    readonly lastRecord: number | undefined,
    /** Sequence numbers of the corrupt chunks. */
    readonly chunks: number[],
    options?: HiveErrorOptions,
  ) {
    const records = lastRecord === undefined ? `records ${firstRecord} to the end` : lastRecord === firstRecord ? `record ${firstRecord}` : `records ${firstRecord}..${lastRecord}`;
    const where = chunks.length === 1 ? `chunk ${chunks[0] ?? -1}` : `chunks ${chunks[0] ?? -1}..${chunks[chunks.length - 1] ?? -1}`;
    super(`${records} unreadable: ${where} corrupt (${messageOf(options?.cause)})`, options);
  }
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
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
    err instanceof CorruptRecordsError
  );
}
