// How the core reports runs to whoever watches them (process metrics, see
// src/metrics/), without importing them: every run started through the
// public API asks the observer for a tracker, fed through the run's progress
// callback and its final report. The default observer only passes progress on.
import type { Progress } from './options.js';

export type Operation = 'pack' | 'unpack' | 'verify' | 'read-chunks' | 'process';
export const OPERATIONS: readonly Operation[] = ['pack', 'unpack', 'verify', 'read-chunks', 'process'];

/** What a finished run reports to its tracker. */
export interface FinalFigures {
  bytes: number;
  storedBytes: number;
  chunks: number;
  resilience: { retries: number; crashes: number; timeouts: number; breakerOpened: number; breakerState: string };
  corruptChunks?: number;
}

export interface RunTracker {
  /** Chains the caller's progress callback. */
  onProgress: (p: Progress) => void;
  done: (report: FinalFigures) => void;
  failed: () => void;
  /** Stopped by the caller's AbortSignal (a client that went away, Ctrl-C): not a failure of the engine. */
  aborted: () => void;
  /** The consumer stopped reading early: counted as completed, with the figures seen so far. */
  stopped: () => void;
}

export type RunObserver = (op: Operation, userProgress: ((p: Progress) => void) | undefined) => RunTracker;

const passThrough: RunObserver = (_op, userProgress) => ({
  onProgress: (p) => userProgress?.(p),
  done: () => undefined,
  failed: () => undefined,
  aborted: () => undefined,
  stopped: () => undefined,
});

let observer: RunObserver = passThrough;

/** Installs the process-wide observer (one at a time; the metrics module installs itself). */
export function setRunObserver(next: RunObserver): void {
  observer = next;
}

/** Starts tracking one run; the API calls this, not users. */
export function observeRun(op: Operation, userProgress: ((p: Progress) => void) | undefined): RunTracker {
  return observer(op, userProgress);
}
