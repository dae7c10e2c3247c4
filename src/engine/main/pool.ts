// The Piscina pool over one ring. The SharedArrayBuffer goes to each worker
// once, in workerData; tasks then carry only slot numbers.
import { Piscina } from 'piscina';
import type { Ring } from './ring.js';
import type { Task, TaskResult, WorkerInit } from '../contract/tasks.js';
import type { BackendChoice } from '../backends/select.js';

export interface WorkerPool {
  run(task: Task, signal?: AbortSignal): Promise<TaskResult>;
  /** Tasks waiting for a worker. */
  readonly queueSize: number;
  readonly threads: number;
  close(): Promise<void>;
}

export function createPool(ring: Ring, workers: number, backends: BackendChoice): WorkerPool {
  const init: WorkerInit = { sab: ring.sab, layout: ring.layout, backends };
  const piscina = new Piscina<Task, TaskResult>({
    filename: new URL('../worker/entry.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    workerData: init,
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
    // 'sync' would keep a busy worker out of its event loop, and native
    // buffers freed by finalizers (lz4-napi results) would pile up unreleased.
    atomics: 'async',
  });
  // Piscina emits 'error' for what no task waits on: the reply of a worker
  // whose task was just aborted (it arrives after Piscina dropped the task)
  // or a worker dying while idle (it is replaced). Tasks learn of their own
  // failures through their promises; unhandled, these would crash the process.
  piscina.on('error', () => undefined);
  return {
    run: (task, signal) => piscina.run(task, signal === undefined ? {} : { signal }),
    get queueSize() {
      return piscina.queueSize;
    },
    threads: workers,
    close: () => piscina.destroy(),
  };
}
