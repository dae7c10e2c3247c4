// Read-only gauges of the process-wide engine, for metrics: read only when
// someone asks (a /metrics scrape), never on a hot path, and without
// starting an engine that does not exist yet.
import { currentEngine } from './process-engine.js';

export interface EngineGauges {
  /** Runs admitted and not yet finished. */
  activeRuns: number;
  /** Runs waiting for admission, the current admission limit, and runs refused so far. */
  queuedRuns: number;
  runLimit: number;
  rejectedRuns: number;
  /** Ring slots holding a chunk now, and slots held by the runs in flight. */
  slotsInUse: number;
  slotsTotal: number;
  /** Batches waiting for a worker task, and tasks in flight. */
  queueDepth: number;
  tasksInflight: number;
  /** Ring memory held by streams, and the engine's budget. */
  memoryUsed: number;
  memoryBudget: number;
  threads: number;
  /** Breaker state of the engine's default guard. */
  breakerStates: string[];
}

export function engineGauges(): EngineGauges {
  const e = currentEngine();
  if (e === undefined) {
    return { activeRuns: 0, queuedRuns: 0, runLimit: 0, rejectedRuns: 0, slotsInUse: 0, slotsTotal: 0, queueDepth: 0, tasksInflight: 0, memoryUsed: 0, memoryBudget: 0, threads: 0, breakerStates: [] };
  }
  const s = e.stats();
  return {
    activeRuns: s.runs.inflight,
    queuedRuns: s.runs.queued,
    runLimit: s.runs.limit,
    rejectedRuns: s.runs.rejected,
    slotsInUse: s.memory.slotsBusy,
    slotsTotal: s.memory.slotsHeld,
    queueDepth: s.tasks.queuedBatches,
    tasksInflight: s.tasks.inflight,
    memoryUsed: s.memory.usedBytes,
    memoryBudget: s.memory.budgetBytes,
    threads: s.threads,
    breakerStates: s.runs.inflight > 0 ? [s.breakerState] : [],
  };
}
