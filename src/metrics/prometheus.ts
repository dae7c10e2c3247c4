// prom-client adapter (import from 'hivestream/prometheus'; prom-client is
// an optional peer dependency). Every metric reads the process-wide
// snapshot at scrape time, so nothing runs between scrapes.
import { Counter, Gauge, register as defaultRegistry, type Metric, type Registry } from 'prom-client';
import { OPERATIONS } from '../run-observer.js';
import { metrics } from './process-metrics.js';

export interface PrometheusOptions {
  /** Registry to add the metrics to (default: prom-client's global one). */
  registry?: Registry;
  /** Metric name prefix (default "hivestream_"). */
  prefix?: string;
}

const BREAKER_STATES = ['closed', 'open', 'half-open', 'isolated'] as const;

/** Registers hivestream's metrics; returns them and a way to take them out again. */
export function registerHivestreamMetrics(options: PrometheusOptions = {}): { metrics: Metric[]; unregister(): void } {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? 'hivestream_';
  const made: Metric[] = [];
  const names: string[] = [];
  // A total read from the snapshot: reset and set at each scrape (counters only go up between them).
  const total = (name: string, help: string, read: (s: ReturnType<typeof metrics>) => number): void => {
    names.push(prefix + name);
    made.push(
      new Counter({
        name: prefix + name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read(metrics()));
        },
      }),
    );
  };
  const gauge = (name: string, help: string, read: (s: ReturnType<typeof metrics>) => number): void => {
    names.push(prefix + name);
    made.push(
      new Gauge({
        name: prefix + name,
        help,
        registers: [registry],
        collect() {
          this.set(read(metrics()));
        },
      }),
    );
  };
  total('bytes_in_total', 'Bytes read by runs: raw input of pack, container bytes of unpack, verify and chunk reads', (s) => s.bytesIn);
  total('bytes_out_total', 'Bytes written by runs: container bytes of pack, restored bytes of unpack and chunk reads', (s) => s.bytesOut);
  total('raw_bytes_total', 'Raw bytes packed, restored or verified', (s) => s.rawBytes);
  total('chunks_total', 'Chunks processed', (s) => s.chunks);
  total('task_retries_total', 'Worker task attempts retried', (s) => s.retries);
  total('worker_crashes_total', 'Worker threads that died during a task', (s) => s.crashes);
  total('task_timeouts_total', 'Worker tasks cancelled at their deadline', (s) => s.timeouts);
  total('breaker_opened_total', 'Times a run circuit breaker opened', (s) => s.breakerOpened);
  total('corrupt_chunks_total', 'Corrupt chunks reported (and skipped) by readers', (s) => s.corruptChunks);
  gauge('throughput_mb_per_second', 'Raw megabytes (10^6 bytes) per second over the last 10 s', (s) => s.mbPerSecond);
  gauge('active_runs', 'Runs in progress', (s) => s.runs.active);
  gauge('queue_depth', 'Batches of chunks waiting for a worker task', (s) => s.queueDepth);
  gauge('engine_runs_inflight', 'Runs admitted by the engine and not yet finished', (s) => s.engine.runsInflight);
  gauge('engine_runs_queued', 'Runs waiting for admission', (s) => s.engine.runsQueued);
  gauge('engine_run_limit', 'Runs the engine admits at once now (adaptive, from task latency)', (s) => s.engine.runLimit);
  total('engine_runs_rejected_total', 'Runs refused with OverloadedError (queue full)', (s) => s.engine.runsRejected);
  gauge('engine_memory_used_bytes', 'Ring memory held by the streams of the runs in flight', (s) => s.engine.memoryUsedBytes);
  gauge('ring_slots_in_use', 'Ring slots holding a chunk', (s) => s.slotsInUse);
  gauge('ring_slots', 'Ring slots of the active runs', (s) => s.slotsTotal);
  names.push(`${prefix}runs_total`, `${prefix}breaker_state`, `${prefix}backend_fallback`);
  made.push(
    new Counter({
      name: `${prefix}runs_total`,
      help: 'Runs finished, by operation and outcome (completed, failed, or aborted by the caller)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
      collect() {
        const s = metrics();
        this.reset();
        for (const op of OPERATIONS) {
          this.inc({ operation: op, outcome: 'completed' }, s.runs[op].completed);
          this.inc({ operation: op, outcome: 'failed' }, s.runs[op].failed);
          this.inc({ operation: op, outcome: 'aborted' }, s.runs[op].aborted);
        }
      },
    }),
    new Gauge({
      name: `${prefix}breaker_state`,
      help: 'Circuit breaker state of the worker pools (1 for the current state)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const current = metrics().breakerState;
        for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    }),
  );
  made.push(
    new Gauge({
      name: `${prefix}backend_fallback`,
      help: 'Components running on a slower back end than this machine could have (1), e.g. the native addon did not load; see metrics().fallbacks for the reason and fix',
      labelNames: ['component'],
      registers: [registry],
      collect() {
        const down = new Set(metrics().fallbacks.map((f) => f.component));
        for (const component of ['sha256', 'lz4'] as const) this.set({ component }, down.has(component) ? 1 : 0);
      },
    }),
  );
  return {
    metrics: made,
    unregister() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
