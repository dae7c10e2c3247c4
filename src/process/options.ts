// Options of process and processTo, and how they become a run's configuration.
import { ValidationError } from '../errors.js';
import { common, readLimits } from '../api.js';
import type { CallSpec } from '../engine/contract/tasks.js';
import { getEngine } from '../engine/main/process-engine.js';
import type { ProcessConfig } from '../engine/main/process.js';
import { MAX_CHUNK_SIZE, parseSize, resolveBoundary, resolveChunkSize, type Boundary, type ReadOptions } from '../options.js';
import { resolveExport, resolveModule } from './module.js';

export interface ProcessOptions extends ReadOptions {
  /** The module (a file path, or a file: URL) whose export runs on every chunk, in the engine's workers. */
  module: string | URL;
  /** The export to call (default 'default'): `(bytes, { sequence, offset, signal, params }) => result`, sync or async. */
  export?: string;
  /** Any structured-clonable value, handed to every call as `params`. */
  params?: unknown;
  /** 'auto' (default): a container when it starts with the Avro magic bytes, else raw bytes. */
  input?: 'auto' | 'raw' | 'container';
  /** Raw inputs: chunk size (4 KiB to 64 MiB, default 1 MiB). */
  chunkSize?: number | string;
  /** Raw inputs: record-aligned chunks ('newline' or a delimiter byte); a container must have been packed with the same. */
  boundary?: Boundary;
  /** Raw inputs with a boundary: the longest record that gets a chunk of its own (default 64 MiB). */
  maxRecordSize?: number | string;
  /** Deadline of one task of calls, in ms (default 30 000): the functions' signal aborts then; a second later the worker is stopped. */
  timeoutMs?: number;
  /** Move typed-array results that own their whole buffer instead of copying them (the function must return a fresh one each call). */
  transfer?: boolean;
}

/**
 * Attempts per task of calls: fewer than the engine's own tasks get. The
 * caller's code that failed three times on the same chunk rarely succeeds on
 * the fourth, and with fewer attempts than the breaker's threshold (5
 * consecutive failures) one bad chunk ends the run with its own error
 * (ProcessError) rather than opening the breaker.
 */
const PROCESS_RETRY = { maxAttempts: 3, baseDelay: 20, maxDelay: 1000 };

/** After the functions' signal aborts, how long they get to stop before their worker is terminated. */
export const HARD_DEADLINE_GRACE_MS = 1000;
const MAX_RECORD = 1 << 30;
const MAX_TIMEOUT = 2 ** 31 - 1 - HARD_DEADLINE_GRACE_MS;

function resolveTimeout(value: number | undefined): number {
  const n = value ?? 30_000;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TIMEOUT) throw new ValidationError('timeoutMs', `${String(value)} is not a whole number of milliseconds from 1 to ${MAX_TIMEOUT}`);
  return n;
}

function resolveMaxRecord(value: number | string | undefined, chunkSize: number): number {
  const n = value === undefined ? Math.max(chunkSize, MAX_CHUNK_SIZE) : typeof value === 'string' ? parseSize(value, 'maxRecordSize') : value;
  if (!Number.isSafeInteger(n) || n < chunkSize || n > MAX_RECORD) throw new ValidationError('maxRecordSize', `${String(value)} is not a size from the chunk size (${chunkSize}) to 1 GiB`);
  return n;
}

function resolveInput(value: string | undefined): ProcessConfig['input'] {
  if (value === undefined || value === 'auto' || value === 'raw' || value === 'container') return value ?? 'auto';
  throw new ValidationError('input', `${JSON.stringify(value)} is not 'auto', 'raw' or 'container'`);
}

function resolveParams(value: unknown): unknown {
  try {
    structuredClone(value);
  } catch (cause) {
    throw new ValidationError('params', 'cannot be copied to the workers (it must be structured-clonable: no functions, no class instances with private state)', { cause });
  }
  return value;
}

/** The run configuration of a process call; `results`: what results may be ('bytes' for a sink). */
export async function processConfig(o: ProcessOptions, results: CallSpec['results']): Promise<ProcessConfig & { call: CallSpec }> {
  if (typeof o !== 'object' || o === null) throw new ValidationError('options', 'expected an object with at least { module }');
  const call: CallSpec = {
    module: resolveModule(o.module),
    name: resolveExport(o.export),
    timeoutMs: resolveTimeout(o.timeoutMs),
    results,
    transfer: o.transfer === true,
    params: resolveParams(o.params),
  };
  const chunkSize = resolveChunkSize(o.chunkSize);
  const delimiter = resolveBoundary(o.boundary);
  const base = await common(o);
  const engineResilience = (o.engine ?? getEngine()).settings.resilience;
  return {
    ...base,
    // Its own guard (so its own breaker, and tasks that carry no other run's
    // chunks), with a hard deadline a little after the functions' signal.
    resilience: {
      ...engineResilience,
      ...o.resilience,
      taskTimeoutMs: o.resilience?.taskTimeoutMs ?? call.timeoutMs + HARD_DEADLINE_GRACE_MS,
      retry: o.resilience?.retry ?? engineResilience.retry ?? PROCESS_RETRY,
    },
    call,
    cut: { chunkSize, delimiter, maxRecord: delimiter === undefined ? chunkSize : resolveMaxRecord(o.maxRecordSize, chunkSize) },
    input: resolveInput(o.input),
    limits: readLimits(o),
  };
}
