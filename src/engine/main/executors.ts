// Where an engine's tasks run: its ring (made on first need), its worker
// pool (started on first need, stopped when the engine is idle), and the
// main thread's own context for tiny tasks run inline.
import type { BackendChoice } from '../backends/select.js';
import { CONTROL_BYTES, type BufferLayout } from '../contract/slots.js';
import type { PartResult, Task, TaskResult } from '../contract/tasks.js';
import { initWorker, type WorkerContext } from '../worker/context.js';
import { runTask } from '../worker/run-task.js';
import { createPool, type WorkerPool } from './pool.js';
import { Ring } from './ring.js';

export class Executors {
  private current: Ring | undefined;
  private pool: Promise<WorkerPool> | undefined;
  private mainContext: WorkerContext | undefined;

  constructor(
    private readonly layout: BufferLayout,
    private readonly threads: number,
  ) {}

  get poolStarted(): boolean {
    return this.pool !== undefined;
  }

  /** Whether anything is held (a ring or threads) that going idle should release. */
  get holding(): boolean {
    return this.pool !== undefined || this.current !== undefined;
  }

  /** Ring memory streams hold now (arena and control blocks), and slots in use. */
  get used(): { bytes: number; slots: number } {
    const r = this.current;
    return r === undefined ? { bytes: 0, slots: 0 } : { bytes: r.arenaBytes - r.arenaFree + r.slotsInUse * CONTROL_BYTES, slots: r.slotsInUse };
  }

  ring(): Ring {
    this.current ??= new Ring(this.layout);
    return this.current;
  }

  /** The pool, started on first need; `preload`: back ends its workers load while they boot. */
  workers(preload?: BackendChoice): Promise<WorkerPool> {
    this.pool ??= createPool(this.ring(), this.threads, preload);
    return this.pool;
  }

  /** Runs a task on the main thread, over the same ring, with the same worker code. */
  async inline(task: Task): Promise<PartResult[]> {
    const ring = this.ring();
    this.mainContext ??= initWorker({ sab: ring.sab, layout: ring.layout });
    const result: TaskResult = await runTask(this.mainContext, task);
    if (!Array.isArray(result)) throw new Error(`internal: inline task failed: ${result.message}`);
    return result;
  }

  /** Stops the threads; with `releaseRing` (no stream holds slots) the ring goes too (workers held it; they are gone). */
  async stop(releaseRing: boolean): Promise<void> {
    // Let go of both at once, before waiting for the threads to end: a run
    // that starts meanwhile gets a new ring and a new pool, never a new pool
    // over the old ring.
    const pool = this.pool;
    this.pool = undefined;
    if (releaseRing) {
      this.current = undefined;
      this.mainContext = undefined;
    }
    if (pool !== undefined) await (await pool).close();
  }
}
