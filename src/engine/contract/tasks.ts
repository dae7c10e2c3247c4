// Messages between the main thread and the workers. A task names slots; the
// bytes stay in the shared buffer. A task carries one or more parts, each a
// batch of one stream's slots, so small streams share a worker round trip.
// Failures come back as plain descriptors (structured-clone safe), one per
// part, and become typed errors on the main thread.
import { lz4Bound, type BufferLayout } from './slots.js';
import type { BackendChoice } from '../backends/select.js';
import { ChecksumMismatchError, FormatError, HiveError, InputChangedError, IoError, ProcessError, TimeoutError, TransientError, ValidationError } from '../../errors.js';

export interface WorkerInit {
  sab: SharedArrayBuffer;
  layout: BufferLayout;
  /** Back ends to load while the worker boots (the first stream's), before its first task. */
  preload?: BackendChoice | undefined;
}

export interface PackPart {
  op: 'pack';
  slots: number[];
  /** File descriptor the worker reads slot inputs from (slots with readAt >= 0). */
  fd: number;
  lz4: boolean;
}

export interface UnpackPart {
  op: 'unpack';
  slots: number[];
  fd: number;
  chunkSize: number;
  sync: Uint8Array;
  /** The caller's function, run on each chunk once the part verified (process on a container). */
  call?: CallSpec;
}

/** The caller's function that call parts run on each chunk (main/process.ts, worker/call.ts). */
export interface CallSpec {
  /** URL (file:) of the caller's module, loaded once per worker. */
  module: string;
  /** The export to call. */
  name: string;
  /** Deadline of a task's calls, in ms from the task's start: the functions' AbortSignal aborts then. */
  timeoutMs: number;
  /** 'any': structured-clonable results; 'bytes': bytes or strings only (for a sink). */
  results: 'any' | 'bytes';
  /** Move typed-array results that own their whole buffer instead of copying them. */
  transfer: boolean;
  /** The caller's parameters, handed to every call. */
  params: unknown;
}

/** The caller's function on raw chunks (read from `fd` at readAt, or put in the slot by the main thread). */
export interface CallPart {
  op: 'call';
  slots: number[];
  fd: number;
  call: CallSpec;
  /** Chunks longer than their slot (one record over the chunk size), by slot: their bytes. */
  spill?: Array<{ slot: number; sab: SharedArrayBuffer }>;
}

/** One whole small file a worker packs by itself: read, hash, compress, frame, write, rename. */
export interface FileJob {
  /** A slot whose input area holds the file and whose output area holds LZ4 output and the chunk digests. */
  slot: number;
  input: string;
  output: string;
  /** Name recorded in the header's hivestream.source. */
  sourceName: string;
  /** What the caller saw of the input (its walk): a file that is not this one any more is refused. */
  expect?: { dev: number; ino: number; size: number; mtimeMs: number } | undefined;
  /** The input must lie in this folder (a real path): opened without following a final link, checked on the opened file. */
  inputRoot?: string | undefined;
  /** The temporary name to write the output under (io/partial-name.ts), chosen by the main thread, which tracks it. */
  partial: string;
}

export interface PackFilesPart {
  op: 'pack-files';
  files: FileJob[];
  chunkSize: number;
  lz4: boolean;
  /** fsync each output before renaming it into place. */
  durable: boolean;
  /** Outputs must lie in this folder (a real path): checked on the opened file, so a folder swapped for a link is caught. */
  outRoot?: string | undefined;
}

export type TaskPart = PackPart | UnpackPart | PackFilesPart | CallPart;

/** Whether a part runs the caller's own function (never on the main thread: it may crash or hang). */
export function runsCallerCode(part: TaskPart): boolean {
  return part.op === 'call' || (part.op === 'unpack' && part.call !== undefined);
}

/** Slots a part names (a pack-files part, one per file). */
export function partSlots(part: TaskPart): number {
  return part.op === 'pack-files' ? part.files.length : part.slots.length;
}

/**
 * Output-area bytes a pack-files slot needs for files of up to `maxFile`
 * bytes: each chunk's LZ4 worst case (when compressing), then the chunk
 * digests. Both threads use it: main to size the slots, workers to lay them out.
 */
export function fileSlotOutput(maxFile: number, chunkSize: number, lz4: boolean): number {
  const chunks = Math.max(1, Math.ceil(maxFile / chunkSize));
  // The chunks' bounds add up to at most the whole file's bound plus a little per chunk.
  return (lz4 ? lz4Bound(maxFile) + 21 * chunks : 0) + 32 * chunks;
}

/** Slots one task may name in all (job tables in workers are sized for it). */
export const MAX_TASK_SLOTS = 1024;

export interface Task {
  parts: TaskPart[];
  /** The back ends every part of the task uses. */
  backends: BackendChoice;
  /** Fault injection: what the worker should do wrong on this attempt. */
  fault?: 'crash' | 'error' | 'stall';
  stallMs?: number;
}

/** An error thrown in a worker, as it crosses to the main thread. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  code?: string | number;
}

/** What one part found wrong with its stream's data: final for that stream, never retried. */
export type PartFailure =
  | { kind: 'format'; reason: string; sequence?: number; offset?: number; field?: string }
  | { kind: 'checksum'; sequence: number; offset: number; expected: string; actual: string; streamOffset: number }
  | { kind: 'input-changed'; reason: string }
  | { kind: 'io'; operation: string; errno: string; message: string; path?: string }
  | { kind: 'refused'; field: string; reason: string }
  /** The caller's function threw (or returned what its results cannot be) on this chunk. */
  | { kind: 'call'; sequence: number; offset: number; error: ErrorInfo; result?: boolean }
  /** The caller's module cannot be loaded, or lacks the export. */
  | { kind: 'module'; reason: string };

/** The whole task failed and may succeed on another attempt. */
export interface TransientFailure {
  kind: 'transient';
  message: string;
  /** The caller's function failed transiently (or ran past the task's deadline) on this chunk. */
  call?: { sequence: number; offset: number; error: ErrorInfo; timeoutMs?: number };
}

/**
 * What a call part's function returned for one slot: nothing, bytes of the
 * chunk itself (a view into the ring: where, how many), or a value.
 */
export type CallValue = null | { at: number; length: number } | { value: unknown };

/** A call part's results, one per slot in order. */
export interface CallOutput {
  kind: 'values';
  values: CallValue[];
}

/** What a worker reports for one file it packed (or why it could not). */
export type FileOutcome =
  | { ok: true; bytes: number; storedBytes: number; chunks: number; compressedChunks: number; rootDigest: string; inputSize: number; inputMtimeMs: number }
  | { ok: false; failure: PartFailure };

/** A part's outcome: null when every slot of it succeeded; a pack-files part lists each file's, a call part its results. */
export type PartResult = PartFailure | null | { kind: 'files'; files: FileOutcome[] } | CallOutput;

/** Whether a part's outcome is a failure (not success, a file list or call results). */
export function isPartFailure(r: PartResult): r is PartFailure {
  return r !== null && r.kind !== 'files' && r.kind !== 'values';
}

/** One outcome per part, in order, or a failure of the whole task. */
export type TaskResult = PartResult[] | TransientFailure;

/** An error from a worker, rebuilt: its name, message, stack and code. */
export function reviveError(info: ErrorInfo): Error {
  const err = new Error(info.message);
  err.name = info.name;
  if (info.stack !== undefined) err.stack = info.stack;
  if (info.code !== undefined) Object.assign(err, { code: info.code });
  return err;
}

export function failureToError(f: PartFailure | TransientFailure, path: string | undefined): HiveError {
  switch (f.kind) {
    case 'format':
      return new FormatError(f.reason, { sequence: f.sequence, offset: f.offset, field: f.field });
    case 'checksum':
      return new ChecksumMismatchError(f.sequence, f.offset, f.expected, f.actual, f.streamOffset);
    case 'input-changed':
      return new InputChangedError(path ?? 'input', f.reason);
    case 'io':
      return new IoError(f.operation, f.path ?? path, { cause: Object.assign(new Error(f.message), { code: f.errno }) });
    case 'refused':
      return new ValidationError(f.field, f.reason);
    case 'call':
      return new ProcessError(f.sequence, f.offset, f.result === true ? 'result' : 'error', { cause: reviveError(f.error) });
    case 'module':
      return new ValidationError('module', f.reason);
    case 'transient': {
      const c = f.call;
      if (c === undefined) return new TransientError(f.message);
      if (c.timeoutMs === undefined) return new ProcessError(c.sequence, c.offset, 'transient', { cause: reviveError(c.error) });
      return new ProcessError(c.sequence, c.offset, 'timeout', { cause: new TimeoutError(c.timeoutMs, 'a task of the function\'s calls', { cause: reviveError(c.error) }) });
    }
  }
}
