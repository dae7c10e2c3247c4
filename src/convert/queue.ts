// Converting the files of a job, many at a time on the shared engine: files
// start while the bytes in flight stay within a budget (and the file count
// within --concurrency), so a tree of small files keeps the pool busy and a
// few large ones do not crowd memory. Each finished file is recorded in the
// manifest (lines that finish together share one fdatasync). A failure
// stops new files from starting unless --keep-going; an abort stops them too
// and leaves no line for the files it cut short, so --resume redoes them.
import { performance } from 'node:perf_hooks';
import { HiveError, messageOf } from '../errors.js';
import type { Compression } from '../options.js';
import { convertFile } from './file.js';
import { FilePacker } from '../engine/main/file-packer.js';
import { resolveBackends } from '../engine/backends/select.js';
import type { FileLine, ManifestWriter } from './manifest.js';
import type { PlanEntry } from './plan.js';
import type { InputState } from './resume.js';
import type { ConvertOptions, ConvertReport } from './run.js';

export interface RunContext extends Omit<ConvertOptions, 'compression' | 'chunkSize' | 'concurrency' | 'signal'> {
  compression: Compression;
  chunkSize: number;
  /** Files in flight at most, and their input bytes at most (one file may exceed it alone). */
  concurrency: number;
  inflightBytes: number;
  signal: AbortSignal;
  realOut: string;
  writer: ManifestWriter;
  report: ConvertReport;
}

/**
 * Files up to this size are packed whole by a worker (one slot each, batches
 * of files per task, no I/O on the main thread); larger ones stream through
 * pack().
 */
const SMALL_FILE = 256 << 10;

/** Runs the files `concurrency` at a time; returns an error that ends the whole job (the manifest cannot be written). */
export async function runFiles(todo: PlanEntry[], inputs: Map<string, InputState>, ctx: RunContext): Promise<Error | undefined> {
  const packer = await smallFilePacker(todo, inputs, ctx);
  try {
    return await runAll(todo, inputs, ctx, packer);
  } finally {
    packer?.close();
  }
}

async function smallFilePacker(todo: PlanEntry[], inputs: Map<string, InputState>, ctx: RunContext): Promise<FilePacker | undefined> {
  const small = todo.filter((e) => e.op === 'pack' && (inputs.get(e.rel)?.size ?? Infinity) <= SMALL_FILE).length;
  if (small === 0) return undefined;
  return FilePacker.open({
    chunkSize: ctx.chunkSize,
    lz4: ctx.compression === 'lz4',
    durable: ctx.durable === true,
    maxFileBytes: SMALL_FILE,
    slots: Math.min(ctx.concurrency, small),
    outRoot: ctx.realOut,
    backends: await resolveBackends({}),
    workers: ctx.workers,
    signal: ctx.signal,
  });
}

async function runAll(todo: PlanEntry[], inputs: Map<string, InputState>, ctx: RunContext, packer: FilePacker | undefined): Promise<Error | undefined> {
  const { report, signal } = ctx;
  const prepared = new Map<string, Promise<void>>();
  const t0 = performance.now();
  const inflight = new Map<string, number>();
  let doneBytes = 0;
  let finished = 0;
  let next = 0;
  let stop = false;
  let fatal: Error | undefined;
  const bytesTotal = todo.reduce((n, e) => n + (inputs.get(e.rel)?.size ?? 0), 0);
  const progress = () => ({
    filesDone: finished,
    filesTotal: todo.length,
    bytesDone: doneBytes + [...inflight.values()].reduce((a, b) => a + b, 0),
    bytesTotal,
    elapsedMs: performance.now() - t0,
  });
  /** Converts one file; `converted` runs as soon as its output is in place (before its manifest line is durable). */
  const one = async (entry: PlanEntry, converted: () => void): Promise<void> => {
    const started = performance.now();
    inflight.set(entry.rel, 0);
    ctx.onEvent?.({ type: 'start', entry, progress: progress() });
    let line: FileLine;
    try {
      const r = await convertFile(entry, ctx.realOut, {
        compression: ctx.compression,
        chunkSize: ctx.chunkSize,
        workers: ctx.workers,
        durable: ctx.durable === true,
        packer: packer === undefined ? undefined : { maxFileBytes: SMALL_FILE, packer },
        prepared,
        listed: inputs.get(entry.rel),
        signal,
        onProgress: (n) => {
          inflight.set(entry.rel, n);
          ctx.onEvent?.({ type: 'progress', entry, inputBytes: n, progress: progress() });
        },
      });
      line = { kind: 'file', input: entry.rel, output: entry.output, op: entry.op, status: 'done', ...r, durationMs: performance.now() - started, at: new Date().toISOString() };
      report.files.converted++;
      report.bytesIn += r.inputSize;
      report.bytesOut += entry.op === 'unpack' ? r.bytes : r.storedBytes;
    } catch (err) {
      inflight.delete(entry.rel);
      converted();
      if (signal.aborted) {
        // Interrupted, not failed: no line, so --resume simply does it again.
        report.interrupted = true;
        report.files.remaining++;
        return;
      }
      const code = err instanceof HiveError ? err.code : 'E_INTERNAL';
      line = { kind: 'file', input: entry.rel, output: entry.output, op: entry.op, status: 'failed', error: { code, message: messageOf(err) }, durationMs: performance.now() - started, at: new Date().toISOString() };
      report.files.failed++;
      report.failures.push({ input: entry.rel, code, message: messageOf(err) });
      if (ctx.keepGoing !== true) stop = true;
    }
    if (line.status === 'done') converted();
    inflight.delete(entry.rel);
    doneBytes += inputs.get(entry.rel)?.size ?? 0;
    finished++;
    try {
      await ctx.writer.append(line);
    } catch (err) {
      fatal ??= err instanceof Error ? err : new Error(String(err));
      stop = true;
    }
    ctx.onEvent?.({ type: 'finish', entry, line, progress: progress() });
  };
  // Start files while the budget allows; every file that finishes makes room.
  let bytesInFlight = 0;
  const running = new Set<Promise<void>>();
  const sizeOf = (e: PlanEntry): number => inputs.get(e.rel)?.size ?? 0;
  const fits = (e: PlanEntry): boolean => running.size === 0 || (running.size < ctx.concurrency && bytesInFlight + sizeOf(e) <= ctx.inflightBytes);
  for (;;) {
    while (!stop && !signal.aborted && next < todo.length) {
      const entry = todo[next];
      if (entry === undefined || !fits(entry)) break;
      next++;
      bytesInFlight += sizeOf(entry);
      const p = one(entry, () => (bytesInFlight -= sizeOf(entry)));
      running.add(p);
      void p.finally(() => running.delete(p));
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  report.files.remaining += todo.length - next;
  if (signal.aborted) report.interrupted = true;
  return fatal;
}
