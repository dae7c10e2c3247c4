// Piscina worker entry: the pool loads this file in each worker thread. The
// ring arrives once, in workerData, with the back ends the main thread chose;
// the first task initialises the context (worker/context.ts), and every task
// names slots. Pack: worker/pack.ts. Unpack and verify: worker/unpack.ts.
import { workerData } from 'node:worker_threads';
import type { Task, TaskResult, WorkerInit } from '../contract/tasks.js';
import { initWorker, type WorkerContext } from './context.js';
import { pack } from './pack.js';
import { unpack } from './unpack.js';

const stallCell = new Int32Array(new SharedArrayBuffer(4));
let context: WorkerContext | undefined;

export default async function run(task: Task): Promise<TaskResult> {
  context ??= await initWorker(workerData as WorkerInit);
  if (task.fault === 'crash') process.exit(70);
  if (task.fault === 'error') return { kind: 'transient', message: 'injected transient fault' };
  // A stall blocks the thread, as a hung native call would; the task's
  // deadline makes Piscina terminate this worker.
  if (task.fault === 'stall') Atomics.wait(stallCell, 0, 0, task.stallMs ?? 60_000);
  return task.op === 'pack' ? pack(context, task) : unpack(context, task);
}
