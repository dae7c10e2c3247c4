// The library's errors. The library imports nothing from the program that
// uses it; that program may count these as its own (hivestream's HiveError
// does, and re-exports them under the same names). Each has a stable `code`
// for programs and the `exitCode` a command line exits with: 2 for a bad
// option and 130 for an abort, as shells do; 8 to 10 for the controllers.

export type ResilienceErrorCode = 'E_VALIDATION' | 'E_CIRCUIT_OPEN' | 'E_RETRY_EXHAUSTED' | 'E_TIMEOUT' | 'E_ABORTED';

export interface ResilienceErrorOptions {
  cause?: unknown;
}

/** The root of the library's errors. */
export abstract class ResilienceError extends Error {
  abstract readonly code: ResilienceErrorCode;
  abstract readonly exitCode: number;

  constructor(message: string, options?: ResilienceErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** An option (or any caller-supplied value) is not acceptable. */
export class ValidationError extends ResilienceError {
  override readonly code = 'E_VALIDATION';
  override readonly exitCode = 2;
  constructor(
    readonly field: string,
    readonly reason: string,
    options?: ResilienceErrorOptions,
  ) {
    super(`invalid ${field}: ${reason}`, options);
  }
}

export interface CircuitOpenErrorOptions extends ResilienceErrorOptions {
  /** State of the breaker that refused the call ('open', 'half-open', 'isolated'). */
  state?: string;
  /** How long until the breaker lets a probe through, when known. */
  retryAfterMs?: number;
}

/** The circuit breaker is open: calls are refused until it half-opens. */
export class CircuitOpenError extends ResilienceError {
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
export class RetryExhaustedError extends ResilienceError {
  override readonly code = 'E_RETRY_EXHAUSTED';
  override readonly exitCode = 9;
  constructor(
    readonly attempts: number,
    cause: unknown,
    what = 'operation',
  ) {
    const last = cause instanceof Error ? cause.message : String(cause);
    super(`${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${last}`, { cause });
  }
}

/** An operation ran past its deadline. */
export class TimeoutError extends ResilienceError {
  override readonly code = 'E_TIMEOUT';
  override readonly exitCode = 10;
  constructor(
    readonly timeoutMs: number,
    what = 'operation',
    options?: ResilienceErrorOptions,
  ) {
    super(`${what} timed out after ${timeoutMs} ms`, options);
  }
}

/** The caller aborted the operation through its AbortSignal. */
export class AbortError extends ResilienceError {
  override readonly code = 'E_ABORTED';
  override readonly exitCode = 130;
  constructor(message = 'operation aborted', options?: ResilienceErrorOptions) {
    super(message, options);
  }
}
