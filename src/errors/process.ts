// The caller's own per-chunk function (process, processTo) failed: which
// chunk, in what way, and the error itself as `cause`.
import { HiveError, messageOf, type HiveErrorOptions } from './base.js';

/**
 * How the function failed: it threw ('error'); it kept failing with an error
 * it marked transient ('transient'); it ran past the task's deadline
 * ('timeout'); the worker running it died ('crash'); it returned something a
 * result cannot be ('result').
 */
export type ProcessFailure = 'error' | 'transient' | 'timeout' | 'crash' | 'result';

const HOW: Record<ProcessFailure, string> = {
  error: 'threw',
  transient: 'kept failing transiently',
  timeout: 'ran past its deadline',
  crash: 'crashed its worker',
  result: 'returned an unusable result',
};

export interface ProcessErrorOptions extends HiveErrorOptions {
  /** Attempts made on the chunk's task (retries included). */
  attempts?: number;
}

/** The caller's function failed on a chunk; `cause` is its error (or the timeout, or the crash). */
export class ProcessError extends HiveError {
  override readonly code = 'E_PROCESS';
  override readonly exitCode = 22;
  readonly attempts: number;
  constructor(
    /** Sequence number of the chunk. */
    readonly sequence: number,
    /** Byte offset of the chunk in the input stream. */
    readonly offset: number,
    readonly reason: ProcessFailure,
    options?: ProcessErrorOptions,
  ) {
    const attempts = options?.attempts ?? 1;
    const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
    super(`the function ${HOW[reason]} on chunk ${sequence} (stream offset ${offset})${tries}: ${messageOf(options?.cause)}`, options);
    this.attempts = attempts;
  }
}
