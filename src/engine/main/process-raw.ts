// process on a raw input: the raw reader (raw-reader.ts) cuts chunks into
// ring slots, call parts run the caller's function on them in the workers,
// and this loop hands the results back in chunk order, a batch at a time.
// A slot is freed only when the consumer moves past its chunk, so a slow
// consumer holds the slots and the reader waits: the results pending at any
// time are bounded by the run's slots.
import { AbortError } from '../../errors.js';
import type { Input } from '../../io/source.js';
import type { CallPart, CallSpec, CallValue } from '../contract/tasks.js';
import { callFailure } from './call-failure.js';
import { RawReader, type CutRule } from './raw-reader.js';
import { packPlan, type StreamPlan } from './ring-plan.js';
import { Run, type RunConfig } from './run.js';
import type { ResilienceStats } from './task-guard.js';

/** One chunk's outcome, as the loop hands it out. */
export interface ProcessItem {
  sequence: number;
  /** Byte offset of the chunk in the input stream. */
  offset: number;
  length: number;
  /** What the function returned (undefined: nothing). Bytes of the chunk itself are a view into the ring: valid until the loop is resumed. */
  result: unknown;
}

export interface RawProcessConfig extends Omit<RunConfig, 'inputPath'> {
  call: CallSpec;
  cut: CutRule;
  ringSlots: number | undefined;
}

export interface ProcessFigures {
  chunks: number;
  /** Input bytes the function was called on. */
  bytes: number;
  /** Input bytes read: the raw bytes, or the container's. */
  inputBytes: number;
  /** Chunks that returned something, and how many bytes of it were bytes. */
  results: number;
  resultBytes: number;
  resilience: ResilienceStats;
}

/** Chunks per batch handed to the consumer. */
const BATCH = 64;
/**
 * At most this many slots per process run by default: with small chunks a
 * pack plan would take thousands, and a run that feeds another run on the
 * same engine (a transform packed into a container) must leave it some.
 */
export const MAX_PROCESS_SLOTS = 1024;
const EARLY_CLOSE = new AbortError('process reader closed before the end');

/** Slots and batches of a process run (a pack plan without LZ4, capped). */
export function processPlan(chunkSize: number, workers: number, knownSize: number | undefined, slots: number | undefined): StreamPlan {
  const plan = packPlan(chunkSize, workers, false, knownSize, slots);
  return slots === undefined && plan.slots > MAX_PROCESS_SLOTS ? packPlan(chunkSize, workers, false, knownSize, MAX_PROCESS_SLOTS) : plan;
}

/** A call value as the consumer sees it (`ring`: the engine's buffer, where chunk bytes stay). */
export function resultOf(v: CallValue | undefined, ring: ArrayBufferLike): unknown {
  if (v === undefined || v === null) return undefined;
  if ('at' in v) return new Uint8Array(ring, v.at, v.length);
  return v.value;
}

export function resultBytes(result: unknown): number {
  return ArrayBuffer.isView(result) || result instanceof ArrayBuffer ? result.byteLength : 0;
}

export async function* processRaw(input: Input, cfg: RawProcessConfig): AsyncGenerator<ProcessItem[], ProcessFigures> {
  const { cut } = cfg;
  const plan = processPlan(cut.chunkSize, Run.workersOf(cfg), input.size, cfg.ringSlots);
  const run = await Run.start({ ...cfg, inputPath: input.path }, plan, () => `process with ${cut.chunkSize}-byte chunks`, undefined);
  const { ring } = run;
  const reader = new RawReader(input, run, plan.batch, cut);
  const values = new Map<number, CallValue>();
  const fd = input.kind === 'file' ? input.fd : -1;
  let total = -1;
  /** Set when the consumer left early: no new tasks, and those running may finish. */
  let closing = false;
  const running = new Set<Promise<void>>();

  const loop = (async (): Promise<void> => {
    const n = await reader.read((b) => {
      if (run.failed || closing) return;
      for (const slot of b.slots) ring.set(slot, 'calling', 0);
      const part: CallPart = { op: 'call', slots: b.slots, fd, call: cfg.call, ...(b.spill.length > 0 ? { spill: b.spill } : {}) };
      const p = run.results(part, b.bytes).then((r) => {
        if ('error' in r) {
          run.fail(callFailure(ring, r.error, b.slots));
          return;
        }
        r.values?.forEach((v, i) => values.set(b.first + i, v));
        b.slots.forEach((slot, i) => run.window.put(b.first + i, slot));
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    });
    if (n !== undefined) {
      total = n;
      run.window.wake();
    }
  })().catch((err: unknown) => run.fail(err));

  const figures = { chunks: 0, bytes: 0, results: 0, resultBytes: 0 };
  // True until the loop ends by itself or by an error: the consumer left early.
  let left = true;
  try {
    while (!run.failed) {
      const ready = run.window.take(BATCH, Number.MAX_SAFE_INTEGER);
      if (ready.length === 0) {
        if (total >= 0 && run.window.next >= total) break;
        await run.window.wait();
        continue;
      }
      const items = ready.map(({ seq, slot }): ProcessItem => {
        const result = resultOf(values.get(seq), ring.sab);
        values.delete(seq);
        const length = ring.get(slot, 'length');
        figures.chunks++;
        figures.bytes += length;
        if (result !== undefined) figures.results++;
        figures.resultBytes += resultBytes(result);
        return { sequence: seq, offset: ring.get(slot, 'offset'), length, result };
      });
      try {
        yield items;
      } finally {
        for (const { slot } of ready) {
          run.slots.release(slot);
          reader.released(slot);
        }
      }
      run.progress({ bytes: figures.bytes, storedBytes: figures.bytes, chunks: run.window.next, totalBytes: input.size });
    }
    left = false;
  } catch (err) {
    left = false;
    run.fail(err);
  } finally {
    if (left) {
      closing = true;
      await run.closeEarly(running, [loop], EARLY_CLOSE);
    }
  }
  await run.finish([loop]);
  run.progress({ bytes: figures.bytes, storedBytes: figures.bytes, chunks: figures.chunks, totalBytes: input.size }, true);
  return { ...figures, inputBytes: figures.bytes, resilience: run.resilienceStats };
}
