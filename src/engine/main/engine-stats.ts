// What an engine reports about itself (engine.stats(); metrics() and the
// prom-client gauges read it).
import type { AdmissionStats } from './admission.js';

export interface EngineStats {
  threads: number;
  /** Whether the worker threads are running now (they start on first need, stop when idle). */
  poolStarted: boolean;
  runs: AdmissionStats;
  tasks: {
    /** Tasks running or waiting in the pool now. */
    inflight: number;
    /** Batches queued in the scheduler, not yet in a task. */
    queuedBatches: number;
    /** Tasks run so far, and how many of them ran on the main thread. */
    completed: number;
    inline: number;
  };
  memory: {
    /** Ring memory the engine may use, and what streams hold now. */
    budgetBytes: number;
    usedBytes: number;
    /** Slots streams hold, and how many of them hold a chunk now. */
    slotsHeld: number;
    slotsBusy: number;
  };
  /** State of the default breaker (streams with their own resilience options have their own). */
  breakerState: string;
}
