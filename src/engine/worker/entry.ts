// Piscina worker entry: the pool loads this file in each worker thread. The
// engine's buffer arrives once, in workerData; every task names slots, in
// parts of one stream each (worker/run-task.ts runs them). Results of the
// caller's function that it asked to move go back transferred, not copied.
import { workerData } from 'node:worker_threads';
import type { Task, TaskResult, WorkerInit } from '../contract/tasks.js';
import { takeTransfers } from './call-values.js';
import { initWorker, type WorkerContext } from './context.js';
import { runTask } from './run-task.js';

const stallCell = new Int32Array(new SharedArrayBuffer(4));
const init = workerData as WorkerInit;
let context: WorkerContext | undefined;
// Load the likely back ends while the main thread is still reading the first
// chunks (a failure here is reported by the first task that needs them).
if (init.preload !== undefined) {
  context = initWorker(init);
  context.kernels(init.preload).catch(() => undefined);
}

export default async function run(task: Task): Promise<TaskResult> {
  if (task.fault === 'crash') process.exit(70);
  if (task.fault === 'error') return { kind: 'transient', message: 'injected transient fault' };
  // A stall blocks the thread, as a hung native call would; the task's
  // deadline makes Piscina terminate this worker.
  if (task.fault === 'stall') Atomics.wait(stallCell, 0, 0, task.stallMs ?? 60_000);
  context ??= initWorker(init);
  takeTransfers();
  const result = await runTask(context, task);
  const moving = takeTransfers();
  if (moving.length === 0) return result;
  // Piscina transfers what a reply marked with its symbols lists (Piscina.move marks it).
  const { move } = await import('piscina');
  const marked = { [Symbol.for('Piscina.transferable')]: moving, [Symbol.for('Piscina.valueOf')]: result };
  return move(marked as unknown as Parameters<typeof move>[0]) as unknown as TaskResult;
}
