// The library API: pack, unpack, verify, inspect.
import { performance } from 'node:perf_hooks';
import { AbortError } from './errors.js';
import { runPack, type PackReport } from './engine/pack.js';
import { runUnpack, type UnpackReport } from './engine/unpack.js';
import { runInspect, type InspectReport } from './engine/inspect.js';
import { openSink, type Sink, type SinkTarget } from './io/sink.js';
import { openSource, type Source } from './io/source.js';
import { resolveBackends } from './engine/backends/select.js';
import {
  DEFAULT_MAX_HEADER_BYTES,
  MAX_CHUNK_SIZE,
  resolveChunkSize,
  resolveCompression,
  resolveLimit,
  resolveWorkers,
  type PackOptions,
  type ReadOptions,
  type UnpackOptions,
} from './options.js';

export type { PackReport, UnpackReport, InspectReport, Source, SinkTarget };

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
    onTaskTiming: o.onTaskTiming,
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
  };
  throwIfAborted(options.signal);
  const input = await openSource(source);
  let out: Sink | undefined;
  try {
    out = await openSink(sink, { durable: options.durable });
    const report = await runPack(input, out, cfg);
    if (input.kind === 'file') await input.checkUnchanged();
    await out.commit();
    return { ...report, durationMs: performance.now() - t0 };
  } catch (err) {
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
  const input = await openSource(source);
  let out: Sink | undefined;
  try {
    out = await openSink(sink, { durable: options.durable });
    const report = await runUnpack(input, out, cfg);
    await out.commit();
    return { ...report, durationMs: performance.now() - t0 };
  } catch (err) {
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
  const input = await openSource(source);
  try {
    const report = await runUnpack(input, undefined, cfg);
    return { ...report, durationMs: performance.now() - t0 };
  } finally {
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
