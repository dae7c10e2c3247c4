// Where a job writes: a file (file-sink.ts: written under a temporary name
// and renamed into place only on success, so a partial output never looks
// complete; devices, FIFOs and inherited descriptors written directly) or a
// Node Writable, which gets copies of ring bytes since it may keep the
// buffers it is given after the ring slot is reused. Every wait settles when
// the run's signal aborts.
import type { Writable } from 'node:stream';
import { IoError, ValidationError } from '../errors.js';
import { raceAbort } from './abortable.js';
import { openFileSink, type FileSinkOptions } from './file-sink.js';
import { planOutput } from './output-target.js';

/** Where a job writes: a file path or a Node Writable. */
export type SinkTarget = string | Writable;

export interface Sink {
  /** Writes the buffers in order; they may be views into the ring. */
  write(chunks: Uint8Array[]): Promise<void>;
  /** Makes the output visible (rename into place, end the stream). */
  commit(): Promise<void>;
  /** Removes what was written (or destroys the stream). Never throws. */
  abort(reason: unknown): Promise<void>;
  readonly label: string;
}

export type SinkOptions = FileSinkOptions;

export async function openSink(target: SinkTarget, opts: SinkOptions = {}): Promise<Sink> {
  if (typeof target === 'string') {
    const plan = await planOutput(target, opts);
    // Standard output or error by a path (/dev/stdout, /dev/fd/1): its stream, which copes with pipes and sockets that cannot be reopened.
    if (plan.fd === 1) return writableSink(process.stdout, opts.signal);
    if (plan.fd === 2) return writableSink(process.stderr, opts.signal);
    return openFileSink(target, plan, opts);
  }
  if (typeof target === 'object' && target !== null && typeof target.write === 'function') return writableSink(target, opts.signal);
  throw new ValidationError('sink', 'expected a file path or a Node Writable');
}

function writableSink(w: Writable, signal: AbortSignal | undefined): Sink {
  let failure: unknown;
  const onError = (err: unknown): void => {
    failure ??= err;
  };
  w.on('error', onError);
  const isStdio = w === process.stdout || w === process.stderr;
  const label = isStdio ? 'standard output' : 'output stream';
  const check = (): void => {
    if (failure !== undefined) throw new IoError('write', label, { cause: failure });
  };
  const waitFor = (event: 'drain' | 'finish'): Promise<void> => raceAbort(settled(event), signal, `waiting for the ${label} to ${event}`);
  const settled = (event: 'drain' | 'finish'): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (): void => {
        w.off('error', fail);
        w.off('close', closed);
        resolve();
      };
      const fail = (err: unknown): void => {
        w.off(event, done);
        w.off('close', closed);
        reject(new IoError('write', label, { cause: err }));
      };
      const closed = (): void => {
        w.off(event, done);
        w.off('error', fail);
        if (failure !== undefined) reject(new IoError('write', label, { cause: failure }));
        else if (event === 'finish') resolve();
        else reject(new IoError('write', label, { cause: Object.assign(new Error('stream closed'), { code: 'EPIPE' }) }));
      };
      w.once(event, done);
      w.once('error', fail);
      w.once('close', closed);
    });
  return {
    label,
    async write(chunks) {
      check();
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const copy = Buffer.allocUnsafe(total);
      let at = 0;
      for (const c of chunks) {
        copy.set(c, at);
        at += c.length;
      }
      if (!w.write(copy)) await waitFor('drain');
      check();
    },
    async commit() {
      check();
      if (isStdio) {
        // Standard output is not ours to end: wait until what we wrote is flushed.
        const flushed = new Promise<void>((resolve, reject) => {
          w.write(Buffer.alloc(0), (err) => (err === null || err === undefined ? resolve() : reject(new IoError('write', label, { cause: err }))));
        });
        await raceAbort(flushed, signal, `flushing the ${label}`);
      } else {
        const finished = waitFor('finish');
        w.end();
        await finished;
      }
      w.off('error', onError);
    },
    abort(reason) {
      // Destroying with the error tells whoever reads the stream that it is
      // incomplete; our error listener stays, so that error cannot crash a
      // caller that listens only to the promise.
      if (!isStdio) w.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      return Promise.resolve();
    },
  };
}
