// The library API: pack, unpack, verify, inspect.
import { performance } from 'node:perf_hooks';
import { AbortError, ValidationError } from './errors.js';
import { runPack, type PackReport as EnginePackReport } from './engine/main/pack.js';
import type { UnpackReport as EngineUnpackReport } from './engine/main/unpack.js';
import type { InspectReport } from './engine/main/inspect.js';
import { openSink, type Sink, type SinkTarget } from './io/sink.js';
import { openSource, type Input, type Source } from './io/source.js';
import { resolveBackends } from './engine/backends/select.js';
import { fallbacks, findFallbacks, nativeAddonInfo, noteFallbacks, type BackendFallback, type NativeAddonInfo } from './engine/backends/fallback.js';
import type { ChunkEvent, ChunkReadReport as EngineChunkReadReport, ContainerInfo } from './engine/main/chunk-reader.js';
import { signer, toPublicKey } from './format/signature.js';
import { RunScope } from './io/run-scope.js';

// The read side loads on first use: a process that only packs (a CLI pack)
// starts without it.
const readSide = () => import('./engine/main/unpack.js');
const chunkReader = () => import('./engine/main/chunk-reader.js');
const inspector = () => import('./engine/main/inspect.js');
import { observeRun, type FinalFigures, type RunTracker } from './run-observer.js';
import {
  DEFAULT_MAX_HEADER_BYTES,
  MAX_CHUNK_SIZE,
  resolveChunkSize,
  resolveBoundary,
  resolveCompression,
  resolveContentMeta,
  resolveContentType,
  resolveLimit,
  resolveWorkers,
  type PackOptions,
  type ReadOptions,
  type UnpackOptions,
  type Progress,
} from './options.js';

/** Which back ends a run used, as far as the native addon goes. */
export interface BackendNotes {
  /** The native addon in use (a prebuild or a build from source), or null. */
  nativeAddon: NativeAddonInfo | null;
  /** Components running on a slower back end than this machine could have, with the reason and the fix (empty when none). */
  fallbacks: BackendFallback[];
}

export type PackReport = EnginePackReport & BackendNotes;
export type UnpackReport = EngineUnpackReport & BackendNotes;
export type ChunkReadReport = EngineChunkReadReport & BackendNotes;
export type { InspectReport, Source, SinkTarget, ChunkEvent, ContainerInfo, BackendFallback, NativeAddonInfo };

export interface ChunkReadOptions extends ReadOptions {
  /**
   * 'throw' (default): the first bad chunk ends the iteration, as in unpack.
   * 'report': a chunk whose block is intact but whose record or data is bad
   * is yielded as a `corrupt` event and reading goes on.
   */
  corrupt?: 'throw' | 'report';
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError('operation aborted', { cause: signal.reason });
}

/** A run stopped by its caller counts as aborted in metrics(), not failed. */
export function endFailed(run: RunTracker, err: unknown, signal: AbortSignal | undefined): void {
  if (err instanceof AbortError || signal?.aborted === true) run.aborted();
  else run.failed();
}

/** Resolves the back ends and records any fallback among them (metrics() and listeners see it). */
async function backendsFor(o: PackOptions | ReadOptions) {
  const req = { hash: o.hashBackend, lz4: o.lz4Backend };
  const choice = await resolveBackends(req);
  noteFallbacks(findFallbacks(req, choice));
  return choice;
}

function backendNotes(): BackendNotes {
  return { nativeAddon: nativeAddonInfo(), fallbacks: fallbacks() };
}

/** What every run's configuration takes from the common options (also process/api.ts). */
export async function common(o: PackOptions | ReadOptions) {
  return {
    workers: o.workers === undefined ? undefined : resolveWorkers(o.workers),
    signal: o.signal,
    onProgress: o.onProgress,
    progressIntervalMs: o.progressIntervalMs ?? 250,
    ringSlots: o.ringSlots,
    resilience: o.resilience,
    onTaskTiming: o.onTaskTiming,
    engine: o.engine,
    backends: await backendsFor(o),
  };
}

export function readLimits(o: Pick<ReadOptions, 'maxChunkSize' | 'maxHeaderBytes'>) {
  return {
    maxChunkSize: resolveLimit(o.maxChunkSize, MAX_CHUNK_SIZE, 'maxChunkSize'),
    maxHeaderBytes: resolveLimit(o.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, 'maxHeaderBytes'),
  };
}

/** What every container reader is configured with: limits and the key a signature must be made by. */
function readConfig(o: ReadOptions) {
  return { limits: readLimits(o), publicKey: o.publicKey === undefined ? undefined : toPublicKey(o.publicKey) };
}

interface Timed {
  durationMs: number;
}

/**
 * What pack, unpack and verify share: open the source (and the sink, if
 * any), run, make the output visible only on success (removed on failure),
 * feed the process metrics, time it.
 */
async function operate<R extends FinalFigures>(
  op: 'pack' | 'unpack' | 'verify',
  options: PackOptions | UnpackOptions,
  source: Source,
  target: SinkTarget | undefined,
  body: (input: Input, sink: Sink | undefined, hooks: RunHooks) => Promise<R>,
): Promise<R & Timed & BackendNotes> {
  const t0 = performance.now();
  throwIfAborted(options.signal);
  const run = observeRun(op, options.onProgress);
  const scope = new RunScope(options.signal);
  let input: Input | undefined;
  let out: Sink | undefined;
  try {
    input = await openSource(source, { signal: scope.signal });
    if (target !== undefined) {
      out = await openSink(target, {
        durable: 'durable' in options ? options.durable : undefined,
        signal: scope.signal,
        avoid: input.identity,
        within: 'outputWithin' in options ? options.outputWithin : undefined,
      });
    }
    const report = await body(input, out, { onProgress: run.onProgress, signal: scope.signal, onFailure: scope.fail });
    await out?.commit();
    run.done(report);
    return { ...report, durationMs: performance.now() - t0, ...backendNotes() };
  } catch (err) {
    endFailed(run, err, options.signal);
    scope.fail(err instanceof Error ? err : new Error(String(err)));
    await out?.abort(err);
    throw err;
  } finally {
    scope.dispose();
    await input?.close();
  }
}

/** What a run is given by its call: progress, and the signal and failure hook that tie its source and sink waits to it. */
interface RunHooks {
  onProgress: ((p: Progress) => void) | undefined;
  signal: AbortSignal;
  onFailure: (err: Error) => void;
}

/** Packs `source` into a container written to `sink`. */
export async function pack(source: Source, sink: SinkTarget, options: PackOptions = {}): Promise<PackReport> {
  const cfg = {
    ...(await common(options)),
    chunkSize: resolveChunkSize(options.chunkSize),
    compression: resolveCompression(options.compression),
    boundary: resolveBoundary(options.boundary),
    sourceName: options.sourceName,
    contentType: resolveContentType(options.contentType),
    contentMeta: resolveContentMeta(options.contentMeta),
    signer: options.signingKey === undefined ? undefined : signer(options.signingKey),
  };
  return operate('pack', options, source, sink, async (input, out, hooks) => {
    if (out === undefined) throw new Error('internal: pack without a sink');
    const report = await runPack(input, out, { ...cfg, ...hooks });
    // Checked before the output becomes visible.
    if (input.kind === 'file') await input.checkUnchanged();
    return report;
  });
}

/** Restores the original bytes of a container into `sink`, verifying every chunk. */
export async function unpack(source: Source, sink: SinkTarget, options: UnpackOptions = {}): Promise<UnpackReport> {
  const cfg = { ...(await common(options)), ...readConfig(options) };
  return operate('unpack', options, source, sink, async (input, out, hooks) => (await readSide()).runUnpack(input, out, { ...cfg, ...hooks }));
}

/** Checks every chunk, the chain and the root digest of a container without writing anything. */
export async function verify(source: Source, options: ReadOptions = {}): Promise<UnpackReport> {
  const cfg = { ...(await common(options)), ...readConfig(options) };
  return operate('verify', options, source, undefined, async (input, _out, hooks) => (await readSide()).runUnpack(input, undefined, { ...cfg, ...hooks }));
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
  const cfg = { ...(await common(options)), ...readConfig(options), corrupt };
  throwIfAborted(options.signal);
  const run = observeRun('read-chunks', options.onProgress);
  let finished = false;
  const scope = new RunScope(options.signal);
  const input = await openSource(source, { signal: scope.signal }).catch((err: unknown) => {
    endFailed(run, err, options.signal);
    scope.dispose();
    throw err;
  });
  try {
    const report = yield* (await chunkReader()).runChunkReader(input, { ...cfg, onProgress: run.onProgress, signal: scope.signal, onFailure: scope.fail });
    run.done(report);
    finished = true;
    return { ...report, durationMs: performance.now() - t0, ...backendNotes() };
  } catch (err) {
    endFailed(run, err, options.signal);
    finished = true;
    throw err;
  } finally {
    // Left early by the consumer: a finished run, not a failed one.
    if (!finished) run.stopped();
    scope.dispose();
    await input.close();
  }
}

/** Reads a container's header and chunk figures without verifying digests. */
export async function inspect(source: Source, options: Pick<ReadOptions, 'maxChunkSize' | 'maxHeaderBytes'> = {}): Promise<InspectReport> {
  const input = await openSource(source);
  try {
    return await (await inspector()).runInspect(input, readLimits(options));
  } finally {
    await input.close();
  }
}
