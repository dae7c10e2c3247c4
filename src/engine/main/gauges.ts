// Read-only gauges over the runs in flight, for metrics: a run registers
// itself while it holds a ring. Nothing here is on a hot path: the numbers
// are read only when someone asks (a /metrics scrape).

/** What a run exposes to the gauges. */
export interface GaugeSource {
  /** Ring slots holding a chunk (reading, hashing, or waiting to be written). */
  readonly slotsInUse: number;
  readonly slotCount: number;
  /** Tasks waiting for a worker in the run's pool. */
  readonly queueDepth: number;
  /** The run's circuit breaker: closed, open, half-open or isolated. */
  readonly breakerState: string;
}

const active = new Set<GaugeSource>();

export function registerRun(run: GaugeSource): () => void {
  active.add(run);
  return () => {
    active.delete(run);
  };
}

export interface EngineGauges {
  /** Runs holding a ring now. */
  activeRuns: number;
  slotsInUse: number;
  slotsTotal: number;
  queueDepth: number;
  /** Breaker state of each active run. */
  breakerStates: string[];
}

/** Sums the gauges of every run in flight. */
export function engineGauges(): EngineGauges {
  const g: EngineGauges = { activeRuns: 0, slotsInUse: 0, slotsTotal: 0, queueDepth: 0, breakerStates: [] };
  for (const run of active) {
    g.activeRuns++;
    g.slotsInUse += run.slotsInUse;
    g.slotsTotal += run.slotCount;
    g.queueDepth += run.queueDepth;
    g.breakerStates.push(run.breakerState);
  }
  return g;
}
