// The library API: pack, unpack, verify, inspect.
import { performance } from 'node:perf_hooks';
import { AbortError, ValidationError } from './errors.js';
import { runPack, type PackReport } from './engine/pack.js';
import { runUnpack, type UnpackReport } from './engine/unpack.js';
import { runInspect, type InspectReport } from './engine/inspect.js';
import { openSink, type Sink, type SinkTarget } from './io/sink.js';
import { openSource, type Source } from './io/source.js';
import { resolveBackends } from './engine/backends/select.js';
import { runChunkReader, type ChunkEvent, type ChunkReadReport, type ContainerInfo } from './engine/chunk-reader.js';
import { trackRun } from './ml/metrics.js';
import {
  DEFAULT_MAX_HEADER_BYTES,
  MAX_CHUNK_SIZE,
  resolveChunkSize,
  resolveCompression,
  resolveContentMeta,
  resolveContentType,
  resolveLimit,
  resolveWorkers,
  type PackOptions,
  type ReadOptions,
  type UnpackOptions,
} from './options.js';

export type { PackReport, UnpackReport, InspectReport, Source, SinkTarget, ChunkEvent, ChunkReadReport, ContainerInfo };

export interface ChunkReadOptions extends ReadOptions {
  /**
   * 'throw' (default): the first bad chunk ends the iteration, as in unpack.
   * 'report': a chunk whose block is intact but whose record or data is bad
   * is yielded as a `corrupt` event and reading goes on.
   */
  corrupt?: 'throw' | 'report';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError('operation aborted', { cause: signal.reason });
}

async function common(o: PackOptions | ReadOptions) {
  return {
    workers: resolveWorkers(o.workers),
    signal: o.signal,
    onProgress: o.onProgress,
    progressIntervalMs: o.progressIntervalMs ?? 250,
    ringSlots: o.ringSlots,
    resilience: o.resilience,
    backends: await resolveBackends({ hash: o.hashBackend, lz4: o.lz4Backend }),
  };
}

function readLimits(o: ReadOptions) {
  return {
    maxChunkSize: resolveLimit(o.maxChunkSize, MAX_CHUNK_SIZE, 'maxChunkSize'),
    maxHeaderBytes: resolveLimit(o.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, 'maxHeaderBytes'),
  };
}

/** Packs `source` into a container written to `sink`. */
export async function pack(source: Source, sink: SinkTarget, options: PackOptions = {}): Promise<PackReport> {
  const t0 = performance.now();
  const cfg = {
    ...(await common(options)),
    chunkSize: resolveChunkSize(options.chunkSize),
    compression: resolveCompression(options.compression),
    sourceName: options.sourceName,
    contentType: resolveContentType(options.contentType),
    contentMeta: resolveContentMeta(options.contentMeta),
  };
  throwIfAborted(options.signal);
  const run = trackRun('pack', options.onProgress);
  const input = await openSource(source).catch((err: unknown) => {
    run.failed();
    throw err;
  });
  let out: Sink | undefined;
  try {
    out = await openSink(sink, { durable: options.durable });
    const report = await runPack(input, out, { ...cfg, onProgress: run.onProgress });
    if (input.kind === 'file') await input.checkUnchanged();
    await out.commit();
    run.done(report);
    return { ...report, durationMs: performance.now() - t0 };
  } catch (err) {
    run.failed();
    await out?.abort(err);
    throw err;
  } finally {
    await input.close();
  }
}

/** Restores the original bytes of a container into `sink`, verifying every chunk. */
export async function unpack(source: Source, sink: SinkTarget, options: UnpackOptions = {}): Promise<UnpackReport> {
  const t0 = performance.now();
  const cfg = { ...(await common(options)), limits: readLimits(options) };
  throwIfAborted(options.signal);
  const run = trackRun('unpack', options.onProgress);
  const input = await openSource(source).catch((err: unknown) => {
    run.failed();
    throw err;
  });
  let out: Sink | undefined;
  try {
    out = await openSink(sink, { durable: options.durable });
    const report = await runUnpack(input, out, { ...cfg, onProgress: run.onProgress });
    await out.commit();
    run.done(report);
    return { ...report, durationMs: performance.now() - t0 };
  } catch (err) {
    run.failed();
    await out?.abort(err);
    throw err;
  } finally {
    await input.close();
  }
}

/** Checks every chunk, the chain and the root digest of a container without writing anything. */
export async function verify(source: Source, options: ReadOptions = {}): Promise<UnpackReport> {
  const t0 = performance.now();
  const cfg = { ...(await common(options)), limits: readLimits(options) };
  throwIfAborted(options.signal);
  const run = trackRun('verify', options.onProgress);
  const input = await openSource(source).catch((err: unknown) => {
    run.failed();
    throw err;
  });
  try {
    const report = await runUnpack(input, undefined, { ...cfg, onProgress: run.onProgress });
    run.done(report);
    return { ...report, durationMs: performance.now() - t0 };
  } catch (err) {
    run.failed();
    throw err;
  } finally {
    await input.close();
  }
}

/**
 * Reads a container chunk by chunk: first a `header` event, then each chunk
 * in order, verified, with its sequence and raw offset (`bytes` is valid
 * until the next iteration step). Returns the report when the container was
 * read to its end. Leaving the loop early stops the run and frees its ring.
 */
export async function* readChunks(source: Source, options: ChunkReadOptions = {}): AsyncGenerator<ChunkEvent, ChunkReadReport> {
  const t0 = performance.now();
  const corrupt = options.corrupt ?? 'throw';
  if (corrupt !== 'throw' && corrupt !== 'report') throw new ValidationError('corrupt', `${JSON.stringify(corrupt)} is not 'throw' or 'report'`);
  const cfg = { ...(await common(options)), limits: readLimits(options), corrupt };
  throwIfAborted(options.signal);
  const run = trackRun('read-chunks', options.onProgress);
  let finished = false;
  const input = await openSource(source).catch((err: unknown) => {
    run.failed();
    throw err;
  });
  try {
    const report = yield* runChunkReader(input, { ...cfg, onProgress: run.onProgress });
    run.done(report);
    finished = true;
    return { ...report, durationMs: performance.now() - t0 };
  } catch (err) {
    run.failed();
    finished = true;
    throw err;
  } finally {
    // Left early by the consumer: a finished run, not a failed one.
    if (!finished) run.stopped();
    await input.close();
  }
}

/** Reads a container's header and chunk figures without verifying digests. */
export async function inspect(source: Source, options: Pick<ReadOptions, 'maxChunkSize' | 'maxHeaderBytes'> = {}): Promise<InspectReport> {
  const input = await openSource(source);
  try {
    return await runInspect(input, readLimits(options));
  } finally {
    await input.close();
  }
}
