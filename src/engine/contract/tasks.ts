// Messages between the main thread and the workers. A task names slots; the
// bytes stay in the shared buffer. A task carries one or more parts, each a
// batch of one stream's slots, so small streams share a worker round trip.
// Failures come back as plain descriptors (structured-clone safe), one per
// part, and become typed errors on the main thread.
import type { BufferLayout } from './slots.js';
import type { BackendChoice } from '../backends/select.js';
import { ChecksumMismatchError, FormatError, HiveError, InputChangedError, IoError, TransientError } from '../../errors.js';

export interface WorkerInit {
  sab: SharedArrayBuffer;
  layout: BufferLayout;
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
}

export type TaskPart = PackPart | UnpackPart;

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

/** What one part found wrong with its stream's data: final for that stream, never retried. */
export type PartFailure =
  | { kind: 'format'; reason: string; sequence?: number; offset?: number; field?: string }
  | { kind: 'checksum'; sequence: number; offset: number; expected: string; actual: string; streamOffset: number }
  | { kind: 'input-changed'; reason: string }
  | { kind: 'io'; operation: string; errno: string; message: string };

/** The whole task failed and may succeed on another attempt. */
export interface TransientFailure {
  kind: 'transient';
  message: string;
}

/** A part's outcome: null when every slot of it succeeded. */
export type PartResult = PartFailure | null;

/** One outcome per part, in order, or a failure of the whole task. */
export type TaskResult = PartResult[] | TransientFailure;

export function failureToError(f: PartFailure | TransientFailure, path: string | undefined): HiveError {
  switch (f.kind) {
    case 'format':
      return new FormatError(f.reason, { sequence: f.sequence, offset: f.offset, field: f.field });
    case 'checksum':
      return new ChecksumMismatchError(f.sequence, f.offset, f.expected, f.actual, f.streamOffset);
    case 'input-changed':
      return new InputChangedError(path ?? 'input', f.reason);
    case 'io':
      return new IoError(f.operation, path, { cause: Object.assign(new Error(f.message), { code: f.errno }) });
    case 'transient':
      return new TransientError(f.message);
  }
}
