// Messages between the main thread and the workers. A task names slots; the
// bytes stay in the shared ring. Failures come back as plain descriptors
// (structured-clone safe) and become typed errors on the main thread.
import type { RingLayout } from './slots.js';
import type { BackendChoice } from '../backends/select.js';
import { ChecksumMismatchError, FormatError, HiveError, InputChangedError, IoError, TransientError } from '../../errors.js';

export interface WorkerInit {
  sab: SharedArrayBuffer;
  layout: RingLayout;
  backends: BackendChoice;
}

/** Fault injection: what the worker should do wrong on this attempt. */
interface TaskFault {
  fault?: 'crash' | 'error' | 'stall';
  stallMs?: number;
}

export interface PackTask extends TaskFault {
  op: 'pack';
  slots: number[];
  /** File descriptor the worker reads slot inputs from (slots with readAt >= 0). */
  fd: number;
  lz4: boolean;
}

export interface UnpackTask extends TaskFault {
  op: 'unpack';
  slots: number[];
  fd: number;
  chunkSize: number;
  sync: Uint8Array;
}

export type Task = PackTask | UnpackTask;

export type TaskFailure =
  | { kind: 'format'; reason: string; sequence?: number; offset?: number; field?: string }
  | { kind: 'checksum'; sequence: number; offset: number; expected: string; actual: string; streamOffset: number }
  | { kind: 'input-changed'; reason: string }
  | { kind: 'io'; operation: string; errno: string; message: string }
  | { kind: 'transient'; message: string };

/** A task resolves to null when every slot succeeded. */
export type TaskResult = TaskFailure | null;

export function failureToError(f: TaskFailure, path: string | undefined): HiveError {
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
