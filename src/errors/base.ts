// The root of the error hierarchy: every error has a stable `code` (for
// programs) and an `exitCode` (for the CLI); causes are chained with `cause`.

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

export interface Location {
  /** Chunk sequence number, when the problem belongs to a chunk. */
  sequence?: number;
  /** Byte offset in the container (or input) where the problem starts. */
  offset?: number;
  /** Record or header field concerned. */
  field?: string;
}

export function where(loc: Location): string {
  const parts: string[] = [];
  if (loc.sequence !== undefined) parts.push(`chunk ${loc.sequence}`);
  if (loc.offset !== undefined) parts.push(`byte offset ${loc.offset}`);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The bytes are not a well-formed hivestream container. */

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
