// Piscina worker entry: the pool loads this file in each worker thread. The
// engine's buffer arrives once, in workerData; every task names slots, in
// parts of one stream each (worker/run-task.ts runs them).
import { workerData } from 'node:worker_threads';
import type { Task, TaskResult, WorkerInit } from '../contract/tasks.js';
import { initWorker, type WorkerContext } from './context.js';
import { runTask } from './run-task.js';

const stallCell = new Int32Array(new SharedArrayBuffer(4));
let context: WorkerContext | undefined;

export default function run(task: Task): Promise<TaskResult> | TaskResult {
  if (task.fault === 'crash') process.exit(70);
  if (task.fault === 'error') return { kind: 'transient', message: 'injected transient fault' };
  // A stall blocks the thread, as a hung native call would; the task's
  // deadline makes Piscina terminate this worker.
  if (task.fault === 'stall') Atomics.wait(stallCell, 0, 0, task.stallMs ?? 60_000);
  context ??= initWorker(workerData as WorkerInit);
  return runTask(context, task);
}
