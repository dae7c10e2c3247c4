// How the CLI reports a failure: one line for people (stderr), the same as
// one JSON object for programs (--json: {"error": {code, message, exitCode,
// ...details}}), and the exit code. No stack trace unless HIVESTREAM_DEBUG=1.
import { HiveError, IoError } from '../errors.js';
import { UsageError } from './command.js';

export interface FailureFields {
  code: string;
  message: string;
  exitCode: number;
  [detail: string]: unknown;
}

/** Fields of an error that are its own details (sequence, offset, field, ...). */
function details(err: Error): Record<string, unknown> {
  const skip = new Set(['name', 'message', 'stack', 'cause', 'code', 'exitCode']);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (skip.has(k) || v === undefined || typeof v === 'function') continue;
    out[k] = typeof v === 'bigint' ? v.toString() : v;
  }
  return out;
}

function causeOf(err: Error): Record<string, unknown> | undefined {
  const cause: unknown = err.cause;
  if (cause === undefined) return undefined;
  if (!(cause instanceof Error)) return { message: typeof cause === 'string' ? cause : JSON.stringify(cause) };
  const code: unknown = (cause as { code?: unknown }).code;
  return { message: cause.message, ...(typeof code === 'string' ? { code } : {}) };
}

/** The error as the CLI reports it. */
export function failureOf(err: unknown): FailureFields {
  if (err instanceof UsageError && err.command === '') {
    return { code: err.code, message: `${err.message.replace(" (see 'hivestream  --help')", '')} (see 'hivestream --help')`, exitCode: err.exitCode };
  }
  if (err instanceof HiveError) {
    const cause = causeOf(err);
    return { code: err.code, message: err.message, exitCode: err.exitCode, name: err.name, ...details(err), ...(cause === undefined ? {} : { cause }) };
  }
  const errno = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  // An errno error (ENOENT, EPIPE, ...) that no layer wrapped; Node's own ERR_* codes are bugs, not I/O.
  if (typeof errno === 'string' && /^E[A-Z0-9]+$/.test(errno)) return failureOf(new IoError('complete the operation', undefined, { cause: err }));
  return {
    code: 'E_INTERNAL',
    message: `internal error: ${err instanceof Error ? err.message : String(err)} (set HIVESTREAM_DEBUG=1 for details)`,
    exitCode: 70,
  };
}

/**
 * A failure that ends a command which has a report (convert, manifest merge):
 * with --json the report travels inside the one error object, as
 * {"error": {..., "report": {...}}}, instead of a second JSON object.
 */
export function attachReport<E extends Error>(err: E, report: unknown): E {
  Object.defineProperty(err, 'report', { value: report, enumerable: true });
  return err;
}

/**
 * What the command line asks for, read before the command parses it (so that
 * a failure to parse is reported the same way): --json, whether standard
 * output carries data (the JSON error then goes to stderr), and whether
 * stderr is to hold only JSON (--progress=json).
 */
export function jsonRequest(argv: readonly string[]): { json: boolean; dataOnStdout: boolean; progressJson: boolean } {
  const args = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  const json = args.includes('--json');
  const dataOnStdout = args.some((a, i) => ((a === '-o' || a === '--output') && args[i + 1] === '-') || a === '--output=-' || a === '-o-');
  const progressJson = args.some((a, i) => a === '--progress=json' || (a === '--progress' && args[i + 1] === 'json'));
  return { json, dataOnStdout, progressJson };
}
