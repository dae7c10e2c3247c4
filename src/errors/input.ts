// Errors about bad input: a value, a container, a changed file, a dataset.
// They all extend InputError: they never get better on retry and never trip
// a circuit breaker.
import { ValidationError } from '../resilience/errors.js';
import { admits } from './admits.js';
import { HiveError, messageOf, where, type HiveErrorOptions, type Location } from './base.js';

/** A caller-supplied value (option, argument, record field) is not acceptable: the resilience library's class. */
export { ValidationError };

/**
 * The root of the bad-input errors; `isBadInputError` is `instanceof
 * InputError`. ValidationError, defined by the resilience library (which
 * validates its own options with it), counts as one too.
 */
export abstract class InputError extends HiveError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return admits(this, InputError, value, ValidationError);
  }
}

/** The bytes are not a well-formed hivestream container. */
export class FormatError extends InputError {
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
export class ChecksumMismatchError extends InputError {
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
export class TruncatedStreamError extends InputError {
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
export class FrameTooLargeError extends InputError {
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

/** An input file changed (size or modification time) while it was read. */
export class InputChangedError extends InputError {
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

/** A container holds another kind of content than the reader expects (header hivestream.content_type). */
export class ContentTypeError extends InputError {
  override readonly code = 'E_CONTENT_TYPE';
  override readonly exitCode = 17;
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
export class DtypeMismatchError extends InputError {
  override readonly code = 'E_DTYPE';
  override readonly exitCode = 18;
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
export class CorruptRecordsError extends InputError {
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

/** A dataset's record index is missing, malformed or disagrees with the pages it indexes. */
export class IndexError extends InputError {
  override readonly code = 'E_INDEX';
  override readonly exitCode = 20;
  constructor(
    readonly reason: string,
    options?: HiveErrorOptions,
  ) {
    super(`record index: ${reason}`, options);
  }
}

/** Why a signature check failed. */
export type SignatureProblem = 'missing' | 'malformed' | 'invalid' | 'wrong-key';

/**
 * A container's signature is missing (when one is required), malformed, does
 * not match its digests, or was made by another key than the one given.
 */
export class SignatureError extends InputError {
  override readonly code = 'E_SIGNATURE';
  override readonly exitCode = 21;
  readonly sequence: number | undefined;
  readonly offset: number | undefined;
  constructor(
    readonly problem: SignatureProblem = 'invalid',
    readonly reason = 'signature check failed',
    loc: Location = {},
    options?: HiveErrorOptions,
  ) {
    super(`signature ${problem}: ${reason}${where(loc)}`, options);
    this.sequence = loc.sequence;
    this.offset = loc.offset;
  }
}
