// The engine's Piscina pool over its ring. The SharedArrayBuffer goes to
// each worker once, in workerData; tasks then carry only slot numbers.
// Piscina is loaded on first use: a process that only packs tiny inputs
// (run on the main thread) never loads it or starts a thread.
import { pathToFileURL } from 'node:url';
import { packageFile } from '../../util/package-root.js';
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

export async function createPool(ring: Ring, threads: number, preload?: BackendChoice): Promise<WorkerPool> {
  const { Piscina } = await import('piscina');
  const init: WorkerInit = { sab: ring.sab, layout: ring.layout, preload };
  const piscina = new Piscina<Task, TaskResult>({
    filename: pathToFileURL(packageFile('dist/engine/worker/entry.js')).href,
    minThreads: threads,
    maxThreads: threads,
    workerData: init,
    concurrentTasksPerWorker: 1,
    // The engine closes the whole pool when it has been idle; workers are
    // not retired one by one before that.
    idleTimeout: Infinity,
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
    threads,
    close: () => piscina.destroy(),
  };
}
