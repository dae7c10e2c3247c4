// The engine's scheduler: streams queue batches of slots (task parts); the
// scheduler builds worker tasks from them, fair across streams by bytes
// (deficit round robin): every turn a stream's deficit grows by a quantum
// and it is served while its next batch fits in the deficit, so a 4 GiB
// stream and a 64 KiB upload each get their share of the pool and the small
// one never waits for the big one to finish. A task may carry batches of
// several streams (when they share a guard and back ends), so small streams
// share a worker round trip.
import { MAX_TASK_SLOTS, partSlots, type PartResult, type TaskPart } from '../contract/tasks.js';
import { TASK_BYTES } from './ring-plan.js';

/** A stream as the scheduler sees it. */
export interface SchedStream {
  /** Streams with the same key may share a task (same task guard, same back ends). */
  readonly key: string;
  /** Tasks holding this stream's batches now (the engine counts them), and the most it may have. */
  inflight: number;
  readonly maxInflight: number;
  /** Bytes it may still send this round (deficit round robin). */
  deficit: number;
  readonly pending: Batch[];
}

export interface Batch {
  stream: SchedStream;
  part: TaskPart;
  /** Bytes of work (raw chunk bytes, or block bytes for reads). */
  bytes: number;
  /** Delivers the part's outcome (or the error that ended its task) to the stream. */
  settle(result: PartResult | Error): void;
}

/** What one task is built of. */
export interface Build {
  key: string;
  batches: Batch[];
  bytes: number;
}

/** Bytes a stream may send per round: one full-size task. */
const QUANTUM = TASK_BYTES;

export class Scheduler {
  /** Streams with pending batches, in round-robin order. */
  private readonly active: SchedStream[] = [];
  private cursor = 0;
  private pendingBytes = 0;

  get queuedBytes(): number {
    return this.pendingBytes;
  }

  get queuedBatches(): number {
    let n = 0;
    for (const s of this.active) n += s.pending.length;
    return n;
  }

  enqueue(batch: Batch): void {
    const s = batch.stream;
    s.pending.push(batch);
    this.pendingBytes += batch.bytes;
    if (s.pending.length === 1) this.active.push(s);
  }

  /** Takes a stream's queued batches out (the stream failed); returns them. */
  drop(stream: SchedStream): Batch[] {
    const dropped = stream.pending.splice(0);
    for (const b of dropped) this.pendingBytes -= b.bytes;
    this.deactivate(stream);
    return dropped;
  }

  /**
   * The next task: batches taken in deficit round robin, from streams that
   * share the first one's key, until about `targetBytes`. Undefined when no
   * stream may send now.
   */
  next(targetBytes: number): Build | undefined {
    let build: Build | undefined;
    let slots = 0;
    // Passes over the streams: one whose next batch is larger than a quantum
    // needs a few turns of credit before it is served.
    for (;;) {
      for (let visited = 0, n = this.active.length; visited < n && this.active.length > 0; visited++) {
        if (this.cursor >= this.active.length) this.cursor = 0;
        const s = this.active[this.cursor];
        if (s === undefined) break;
        const first = s.pending[0];
        const fits = (b: Batch): boolean => build === undefined || (build.bytes + b.bytes <= targetBytes && slots + partSlots(b.part) <= MAX_TASK_SLOTS);
        const eligible = first !== undefined && s.inflight < s.maxInflight && (build === undefined || s.key === build.key) && fits(first);
        if (!eligible) {
          this.cursor++;
          continue;
        }
        s.deficit += QUANTUM;
        for (let head = s.pending[0]; head !== undefined && head.bytes <= s.deficit && fits(head); head = s.pending[0]) {
          s.pending.shift();
          s.deficit -= head.bytes;
          this.pendingBytes -= head.bytes;
          build ??= { key: s.key, batches: [], bytes: 0 };
          build.batches.push(head);
          build.bytes += head.bytes;
          slots += partSlots(head.part);
        }
        if (s.pending.length === 0) this.deactivate(s);
        else this.cursor++;
        if (build !== undefined && build.bytes >= targetBytes) return build;
      }
      if (build !== undefined) return build;
      // Streams that may send but whose next batch is over their credit: another pass adds credit.
      if (!this.anyEligible()) return undefined;
    }
  }

  private anyEligible(): boolean {
    return this.active.some((s) => s.inflight < s.maxInflight);
  }

  private deactivate(s: SchedStream): void {
    const i = this.active.indexOf(s);
    if (i < 0) return;
    this.active.splice(i, 1);
    s.deficit = 0;
    if (i < this.cursor) this.cursor--;
  }
}
