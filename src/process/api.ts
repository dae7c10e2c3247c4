// The caller's own per-chunk work in the engine's pool: processStream yields
// each chunk's result in chunk order; processTo writes the results (bytes or
// strings) to a file, a Node Writable, a Web WritableStream, or packs them
// into a container. See docs/PROCESS.md.
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { WritableStream } from 'node:stream/web';
import { endFailed, pack, throwIfAborted, type PackReport } from '../api.js';
import { runProcess, type ProcessItem, type ProcessOutcome } from '../engine/main/process.js';
import { processPlan } from '../engine/main/process-raw.js';
import { Run } from '../engine/main/run.js';
import type { ResilienceStats } from '../engine/main/task-guard.js';
import type { CallSpec } from '../engine/contract/tasks.js';
import { openSink, type Sink, type SinkTarget } from '../io/sink.js';
import { openSource, type Source } from '../io/source.js';
import { resolveChunkSize, type PackOptions } from '../options.js';
import { observeRun } from '../run-observer.js';
import { AbortError } from '../errors.js';
import { flatten } from '../util/flatten.js';
import { processConfig, type ProcessOptions } from './options.js';

export type { ProcessOptions };

/** One chunk's result, in chunk order. */
export interface ProcessedChunk<R = unknown> {
  sequence: number;
  /** Byte offset of the chunk in the input stream. */
  offset: number;
  /** Bytes of the chunk. */
  length: number;
  /**
   * What the function returned (undefined when it returned nothing). Bytes
   * of the chunk itself (a subarray of what it was given) are a view into
   * the engine's ring, valid until the iterator is resumed: copy what you keep.
   */
  result: R | undefined;
}

export interface ProcessReport {
  operation: 'process';
  input: 'raw' | 'container';
  /** The module's URL and the export called. */
  module: string;
  export: string;
  chunks: number;
  /** Input bytes the function was called on. */
  bytes: number;
  /** Input bytes read: the raw input's, or the container's. */
  storedBytes: number;
  /** Chunks whose call returned something, and the bytes of those results that were bytes. */
  results: number;
  resultBytes: number;
  /** Raw inputs: the chunk size they were cut to. */
  chunkSize: number | null;
  /** The delimiter byte every chunk but the last ends with, or null. */
  boundary: number | null;
  /** Container inputs: every chunk, the chain and the root digest were verified. */
  verified: boolean | null;
  rootDigest: string | null;
  workers: number;
  resilience: ResilienceStats;
  durationMs: number;
}

/** Where processTo writes: a file path, a Node Writable, a Web WritableStream, or a container packed from the results. */
export type ProcessTarget = SinkTarget | WritableStream<Uint8Array> | { pack: SinkTarget; options?: PackOptions };

/** processTo's report; `output` is the container's pack report when the results were packed. */
export interface ProcessToReport extends ProcessReport {
  output: PackReport | null;
}

/**
 * The run behind both calls: opens the source, runs, yields batches of
 * results in order, and reports to the process metrics.
 */
async function* processBatches(
  source: Source,
  options: ProcessOptions,
  results: CallSpec['results'],
  onReport?: (report: ProcessReport) => void,
): AsyncGenerator<ProcessItem[], ProcessReport> {
  const t0 = performance.now();
  const cfg = await processConfig(options, results);
  throwIfAborted(options.signal);
  const tracker = observeRun('process', options.onProgress);
  let finished = false;
  const input = await openSource(source).catch((err: unknown) => {
    endFailed(tracker, err, options.signal);
    throw err;
  });
  try {
    const outcome: ProcessOutcome = yield* runProcess(input, { ...cfg, onProgress: tracker.onProgress });
    const report: ProcessReport = {
      operation: 'process',
      input: outcome.input,
      module: cfg.call.module,
      export: cfg.call.name,
      chunks: outcome.chunks,
      bytes: outcome.bytes,
      storedBytes: outcome.inputBytes,
      results: outcome.results,
      resultBytes: outcome.resultBytes,
      chunkSize: outcome.input === 'raw' ? cfg.cut.chunkSize : null,
      boundary: outcome.boundary,
      verified: outcome.verified ?? null,
      rootDigest: outcome.rootDigest ?? null,
      workers: Run.workersOf(cfg),
      resilience: outcome.resilience,
      durationMs: performance.now() - t0,
    };
    tracker.done(report);
    finished = true;
    onReport?.(report);
    return report;
  } catch (err) {
    endFailed(tracker, err, options.signal);
    finished = true;
    throw err;
  } finally {
    // Left early by the consumer: a finished run, not a failed one.
    if (!finished) tracker.stopped();
    await input.close();
  }
}

/**
 * Runs the module's function on every chunk of `source` (a file, bytes, a
 * stream, an iterable of bytes, or a container, each of whose chunks is
 * verified before the function sees it) in the engine's workers, and yields
 * the results in chunk order; returns the report at the end. Leaving the
 * loop early stops the run and frees its ring.
 */
export function processStream<R = unknown>(source: Source, options: ProcessOptions): AsyncGenerator<ProcessedChunk<R>, ProcessReport> {
  const signal = options.signal;
  // An abort stops the iteration at once, not after the batch at hand.
  const stop = (): Error | undefined => (signal?.aborted === true ? new AbortError('operation aborted', { cause: signal.reason }) : undefined);
  return flatten(processBatches(source, options, 'any'), stop) as AsyncGenerator<ProcessedChunk<R>, ProcessReport>;
}

function isPackTarget(t: ProcessTarget): t is { pack: SinkTarget; options?: PackOptions } {
  return typeof t === 'object' && t !== null && 'pack' in t && !(t instanceof Writable) && !(t instanceof WritableStream);
}

/** The results of one batch, as bytes (the function's results are bytes or strings in this mode). */
function bytesOf(items: ProcessItem[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const { result } of items) if (result instanceof Uint8Array && result.length > 0) out.push(result);
  return out;
}

/**
 * Runs the module's function on every chunk of `source` and writes what it
 * returns (bytes or strings; nothing for a chunk it drops) in chunk order to
 * `target`: written atomically to a file, or packed into a container
 * (`{ pack: target, options }`). A failure leaves no output behind.
 */
export async function processTo(source: Source, target: ProcessTarget, options: ProcessOptions & { durable?: boolean }): Promise<ProcessToReport> {
  if (isPackTarget(target)) {
    let report: ProcessReport | undefined;
    async function* results(): AsyncGenerator<Uint8Array> {
      for await (const batch of processBatches(source, options, 'bytes', (r) => (report = r))) yield* bytesOf(batch);
    }
    const packOptions: PackOptions = { engine: options.engine, signal: options.signal, workers: options.workers, ...target.options };
    // The pack and the process share the engine's slots: with small chunks a
    // pack would take them all and the process feeding it could never start.
    packOptions.ringSlots ??= processPlan(resolveChunkSize(packOptions.chunkSize), Run.workersOf({ workers: packOptions.workers, engine: packOptions.engine }), undefined, undefined).slots;
    const output = await pack(results(), target.pack, packOptions);
    if (report === undefined) throw new Error('internal: the results were packed without the report');
    return { ...report, output };
  }
  throwIfAborted(options.signal);
  const batches = processBatches(source, options, 'bytes');
  let sink: Sink | undefined;
  try {
    sink = await openSink(target instanceof WritableStream ? Writable.fromWeb(target) : target, { durable: options.durable });
    for (;;) {
      const step = await batches.next();
      if (step.done === true) {
        await sink.commit();
        return { ...step.value, output: null };
      }
      const iov = bytesOf(step.value);
      if (iov.length > 0) await sink.write(iov);
    }
  } catch (err) {
    await batches.return(undefined as never).catch(() => undefined);
    await sink?.abort(err);
    throw err;
  }
}
