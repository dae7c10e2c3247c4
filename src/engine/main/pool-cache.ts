// Rings and their worker pools outlive a single run: a service that packs
// many small inputs should not pay for starting threads each time. A run
// leases a (ring, pool) pair of the layout it needs; on return the pair
// waits, idle, for the next run, and is closed after a quiet period.
import { Ring } from './ring.js';
import { createPool, type WorkerPool } from './pool.js';
import type { RingLayout } from '../contract/slots.js';
import type { BackendChoice } from '../backends/select.js';

export interface Lease {
  ring: Ring;
  pool: WorkerPool;
  /** Returns the pair to the cache (or closes it when `broken`). */
  release(broken?: boolean): Promise<void>;
}

interface Idle {
  key: string;
  ring: Ring;
  pool: WorkerPool;
  timer: NodeJS.Timeout;
}

const idle: Idle[] = [];
/** Idle pairs kept at most; the oldest is closed first. */
const MAX_IDLE = 2;

function idleMs(): number {
  const text = process.env.HIVESTREAM_POOL_IDLE_MS;
  const v = text === undefined || text === '' ? Number.NaN : Number(text);
  return Number.isFinite(v) && v >= 0 ? v : 10_000;
}

export function leasePool(layout: RingLayout, workers: number, backends: BackendChoice): Lease {
  const key = `${workers}/${layout.slots}/${layout.inputBytes}/${layout.outputBytes}/${backends.hash}/${backends.lz4}`;
  const i = idle.findIndex((e) => e.key === key);
  let ring: Ring;
  let pool: WorkerPool;
  const found = i >= 0 ? idle.splice(i, 1)[0] : undefined;
  if (found !== undefined) {
    clearTimeout(found.timer);
    ring = found.ring;
    pool = found.pool;
  } else {
    ring = new Ring(layout);
    pool = createPool(ring, workers, backends);
  }
  let released = false;
  return {
    ring,
    pool,
    async release(broken = false) {
      if (released) return;
      released = true;
      const ms = idleMs();
      if (broken || ms === 0) {
        await pool.close();
        return;
      }
      ring.reset();
      const timer = setTimeout(() => {
        const j = idle.findIndex((e) => e.pool === pool);
        if (j >= 0) idle.splice(j, 1);
        void pool.close();
      }, ms);
      timer.unref();
      idle.push({ key, ring, pool, timer });
      while (idle.length > MAX_IDLE) {
        const old = idle.shift();
        if (old !== undefined) {
          clearTimeout(old.timer);
          await old.pool.close();
        }
      }
    },
  };
}

/** Closes every idle worker pool now (for a clean shutdown). */
export async function closeIdlePools(): Promise<void> {
  const all = idle.splice(0, idle.length);
  for (const e of all) clearTimeout(e.timer);
  await Promise.all(all.map((e) => e.pool.close()));
}
