// Converting the files of a job a few at a time: each finished file is
// recorded in the manifest before its lane takes the next one. A failure
// stops new files from starting unless --keep-going; an abort stops them too
// and leaves no line for the files it cut short, so --resume redoes them.
import { performance } from 'node:perf_hooks';
import { HiveError, messageOf } from '../errors.js';
import type { Compression } from '../options.js';
import { convertFile } from './file.js';
import type { FileLine, ManifestWriter } from './manifest.js';
import type { PlanEntry } from './plan.js';
import type { InputState } from './resume.js';
import type { ConvertOptions, ConvertReport } from './run.js';

export interface RunContext extends Omit<ConvertOptions, 'workers' | 'compression' | 'chunkSize' | 'concurrency' | 'signal'> {
  workers: number;
  compression: Compression;
  chunkSize: number;
  concurrency: number;
  signal: AbortSignal;
  realOut: string;
  writer: ManifestWriter;
  report: ConvertReport;
}

/** Runs the files `concurrency` at a time; returns an error that ends the whole job (the manifest cannot be written). */
export async function runFiles(todo: PlanEntry[], inputs: Map<string, InputState>, ctx: RunContext): Promise<Error | undefined> {
  const { report, signal } = ctx;
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
  const one = async (entry: PlanEntry): Promise<void> => {
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
  const lane = async (): Promise<void> => {
    while (!stop && !signal.aborted && next < todo.length) {
      const entry = todo[next++];
      if (entry !== undefined) await one(entry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, todo.length) }, lane));
  report.files.remaining += todo.length - next;
  if (signal.aborted) report.interrupted = true;
  return fatal;
}
