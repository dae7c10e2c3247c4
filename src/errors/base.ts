// The root of the error hierarchy: every error has a stable `code` (for
// programs) and an `exitCode` (for the CLI); causes are chained with `cause`.
// The exit codes are listed in the README's table, which a test keeps true.
import { ResilienceError, type ResilienceErrorCode } from '../resilience/errors.js';
import { admits } from './admits.js';

/** Every `code` a HiveError can carry, so that `err.code === 'E_VALIDATON'` does not compile. */
export type HiveErrorCode =
  | ResilienceErrorCode
  | 'E_HIVESTREAM'
  | 'E_FORMAT'
  | 'E_CHECKSUM'
  | 'E_CORRUPT_RECORDS'
  | 'E_TRUNCATED'
  | 'E_FRAME_TOO_LARGE'
  | 'E_IO'
  | 'E_WORKER_CRASHED'
  | 'E_INPUT_CHANGED'
  | 'E_TRANSIENT'
  | 'E_BACKEND_UNAVAILABLE'
  | 'E_BATCH_INCOMPLETE'
  | 'E_MANIFEST'
  | 'E_CONTENT_TYPE'
  | 'E_DTYPE'
  | 'E_OVERLOADED'
  | 'E_INDEX'
  | 'E_SIGNATURE'
  | 'E_PROCESS';

export interface HiveErrorOptions {
  cause?: unknown;
}

export class HiveError extends Error {
  readonly code: HiveErrorCode = 'E_HIVESTREAM';
  /** Process exit code the CLI uses for this kind of failure. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: HiveErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /**
   * The resilience library's errors (ValidationError, CircuitOpenError,
   * RetryExhaustedError, TimeoutError, AbortError) are HiveErrors too, with
   * the same `code` and `exitCode` fields, though that library imports
   * nothing from hivestream: `instanceof HiveError` admits them.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return admits(this, HiveError, value, ResilienceError);
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

/** " (chunk 3, byte offset 120)": the suffix a message gets from a Location. */
export function where(loc: Location): string {
  const parts: string[] = [];
  if (loc.sequence !== undefined) parts.push(`chunk ${loc.sequence}`);
  if (loc.offset !== undefined) parts.push(`byte offset ${loc.offset}`);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The message of anything thrown, Error or not. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
