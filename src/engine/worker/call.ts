// Call parts in a worker: the caller's own function (an export of a module
// it names, loaded once per worker) run on each chunk of a part in order,
// with a zero-copy view of the chunk's bytes, its sequence and offset, the
// caller's params and an AbortSignal that aborts at the task's deadline.
// Raw chunks are read first (like pack's); a container's chunks are called
// once the unpack part verified them. A thrown error is the part's failure
// (final), unless the function marked it transient (`err.transient = true`,
// or hivestream's TransientError): then the task fails and the guard retries
// it. Each slot's `calling` field says which chunk was running if the worker dies.
import { TimeoutError } from '../../errors.js';
import type { CallField, RingView, UnpackField } from '../contract/slots.js';
import type { CallOutput, CallPart, CallSpec, CallValue, ErrorInfo, PartFailure, TransientFailure, UnpackPart } from '../contract/tasks.js';
import { toValue } from './call-values.js';
import type { WorkerContext } from './context.js';
import { readChunks } from './pack.js';

/** What the caller's function gets with each chunk. */
export interface ChunkContext {
  sequence: number;
  /** Byte offset of the chunk in the input stream. */
  offset: number;
  /** Aborts when the task's deadline passes (or the run is stopped): stop then. */
  signal: AbortSignal;
  /** The params the caller passed to process. */
  params: unknown;
}

type ChunkFunction = (bytes: Buffer, ctx: ChunkContext) => unknown;

/** One chunk to call the function on: its bytes' place (ring or spill buffer) and identity. */
interface CallChunk {
  slot: number;
  sab: SharedArrayBuffer;
  at: number;
  length: number;
  sequence: number;
  offset: number;
}

export type CallResult = CallOutput | PartFailure | TransientFailure;

const loaded = new Map<string, Promise<ChunkFunction | string>>();

function shown(url: string): string {
  return url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
}

/** The caller's function, or why it cannot be had: the module is imported once per worker. */
export function loadFunction(spec: Pick<CallSpec, 'module' | 'name'>): Promise<ChunkFunction | string> {
  const key = `${spec.module}#${spec.name}`;
  let p = loaded.get(key);
  if (p === undefined) {
    p = (async (): Promise<ChunkFunction | string> => {
      let mod: Record<string, unknown>;
      try {
        mod = (await import(spec.module)) as Record<string, unknown>;
      } catch (err) {
        return `cannot load ${shown(spec.module)}: ${err instanceof Error ? err.message : String(err)}`;
      }
      const fn = mod[spec.name];
      if (typeof fn === 'function') return fn as ChunkFunction;
      const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
      return `${shown(spec.module)} has no function export ${JSON.stringify(spec.name)} (its function exports: ${names.length === 0 ? 'none' : names.join(', ')})`;
    })();
    loaded.set(key, p);
  }
  return p;
}

function errorInfo(err: unknown): ErrorInfo {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code: unknown = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, stack: err.stack, ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) };
}

function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { transient?: unknown; code?: unknown };
  return e.transient === true || e.code === 'E_TRANSIENT';
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How the promise settles, or the signal's abort if that comes first (the promise is then left to itself). */
function untilAborted(p: PromiseLike<unknown>, signal: AbortSignal): Promise<Settled> {
  return new Promise((resolve) => {
    const onAbort = (): void => resolve({ ok: false, error: signal.reason });
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ ok: false, error });
      },
    );
  });
}

function timedOut(c: CallChunk, spec: CallSpec, err: unknown): TransientFailure {
  const error = err instanceof TimeoutError || err === undefined ? { name: 'TimeoutError', message: `the deadline of ${spec.timeoutMs} ms passed` } : errorInfo(err);
  return { kind: 'transient', message: `chunk ${c.sequence}: deadline passed`, call: { sequence: c.sequence, offset: c.offset, error, timeoutMs: spec.timeoutMs } };
}

/** Calls the function on each chunk in order; its values, or the first failure. */
async function callChunks(ring: RingView<CallField>, spec: CallSpec, chunks: CallChunk[], deadline: number): Promise<CallResult> {
  const fn = await loadFunction(spec);
  if (typeof fn === 'string') return { kind: 'module', reason: fn };
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new TimeoutError(spec.timeoutMs, 'the task')), Math.max(0, deadline - Date.now()));
  try {
    const values: CallValue[] = [];
    for (const c of chunks) {
      const bytes = Buffer.from(c.sab, c.at, c.length);
      let result: unknown;
      ring.set(c.slot, 'calling', 1);
      try {
        result = fn(bytes, { sequence: c.sequence, offset: c.offset, signal: ctl.signal, params: spec.params });
        if (isThenable(result)) {
          const settled = await untilAborted(result, ctl.signal);
          if (!settled.ok) throw settled.error;
          result = settled.value;
        }
      } catch (err) {
        if (ctl.signal.aborted) return timedOut(c, spec, err);
        const call = { sequence: c.sequence, offset: c.offset, error: errorInfo(err) };
        return isTransient(err) ? { kind: 'transient', message: `chunk ${c.sequence}: ${call.error.message}`, call } : { kind: 'call', ...call };
      } finally {
        ring.set(c.slot, 'calling', 2);
      }
      // A synchronous function cannot be interrupted: past the deadline, its result is refused.
      if (Date.now() > deadline) return timedOut(c, spec, undefined);
      const value = toValue(result, bytes, ring.sab, spec);
      if (typeof value === 'string') return { kind: 'call', sequence: c.sequence, offset: c.offset, error: { name: 'TypeError', message: value }, result: true };
      values.push(value);
    }
    return { kind: 'values', values };
  } finally {
    clearTimeout(timer);
  }
}

/** A call part on raw chunks: read those the main thread gave file positions for, then call. */
export function callRaw(ctx: WorkerContext, part: CallPart, deadline: number): Promise<CallResult> | PartFailure {
  const ring: RingView<CallField> = ctx.ring;
  const failure = readChunks(ctx.ring, part.fd, part.slots);
  if (failure !== null) return failure;
  const spilled = new Map((part.spill ?? []).map((s) => [s.slot, s.sab]));
  const chunks = part.slots.map((slot): CallChunk => {
    const sab = spilled.get(slot);
    return { slot, sab: sab ?? ring.sab, at: sab === undefined ? ring.inputAt(slot) : 0, length: ring.get(slot, 'length'), sequence: ring.get(slot, 'sequence'), offset: ring.get(slot, 'offset') };
  });
  return callChunks(ring, part.call, chunks, deadline);
}

/** A container's chunks, verified by the unpack part just run: call on the restored bytes. */
export function callVerified(ctx: WorkerContext, part: UnpackPart, spec: CallSpec, deadline: number): Promise<CallResult> {
  const ring: RingView<UnpackField> = ctx.ring;
  const chunks = part.slots.map((slot): CallChunk => ({
    slot,
    sab: ring.sab,
    at: ring.get(slot, 'dataStart'),
    length: ring.get(slot, 'length'),
    sequence: ring.get(slot, 'sequence'),
    offset: ring.get(slot, 'offset'),
  }));
  return callChunks(ring, spec, chunks, deadline);
}
