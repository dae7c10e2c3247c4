// Piscina worker entry. The ring arrives once, through workerData, with the
// back ends the main thread chose; each task names slots. Pack: read the
// chunks (when the main thread gave file positions), hash them in place, LZ4
// them into the slots' output areas, all slots in one kernel call each.
// Unpack: read the blocks, decode the records, decompress, verify digests.
// The shared state (ring, back ends, job tables) is set up in worker-context.ts.
import type { Task, TaskResult } from './tasks.js';
import { pack } from './worker-pack.js';
import { unpack } from './worker-unpack.js';

const stallCell = new Int32Array(new SharedArrayBuffer(4));

export default function run(task: Task): TaskResult {
  if (task.fault === 'crash') process.exit(70);
  if (task.fault === 'error') return { kind: 'transient', message: 'injected transient fault' };
  // A stall blocks the thread, as a hung native call would; the task's
  // deadline makes Piscina terminate this worker.
  if (task.fault === 'stall') Atomics.wait(stallCell, 0, 0, task.stallMs ?? 60_000);
  return task.op === 'pack' ? pack(task) : unpack(task);
}
