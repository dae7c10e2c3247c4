// Web Streams adapters over the Node ones, for code written against the
// WHATWG API (fetch bodies, Deno-style handlers). Backpressure carries over:
// a ReadableStream pulls from its iterable only when its reader asks.
import { Duplex, Writable } from 'node:stream';
import { ReadableStream, type WritableStream } from 'node:stream/web';
import { AbortError } from '../errors.js';
import type { PackOptions, UnpackOptions } from '../options.js';
import { createPackStream, createUnpackStream, type StreamOptions } from './node-streams.js';

/** The shape pipeThrough() takes: a TransformStream or any writable/readable pair. */
export interface WebTransformPair {
  writable: WritableStream<Uint8Array>;
  readable: ReadableStream<Uint8Array>;
}

export interface WebReadableOptions {
  signal?: AbortSignal;
  /** Items queued ahead of the reader (default 1). */
  highWaterMark?: number;
}

/** Any (async) iterable (bytes, batches, records) as a Web ReadableStream. */
export function toWebReadable<T>(source: AsyncIterable<T> | Iterable<T>, options: WebReadableOptions = {}): ReadableStream<T> {
  const it: AsyncIterator<T> | Iterator<T> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const { signal } = options;
  let onAbort: (() => void) | undefined;
  const detach = (): void => {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    onAbort = undefined;
  };
  return new ReadableStream<T>(
    {
      start(controller) {
        if (signal === undefined) return;
        onAbort = () => {
          controller.error(new AbortError('stream aborted', { cause: signal.reason }));
          void Promise.resolve(it.return?.()).catch(() => undefined);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        try {
          const r = await it.next();
          if (r.done === true) {
            detach();
            controller.close();
          } else {
            controller.enqueue(r.value);
          }
        } catch (err) {
          detach();
          controller.error(err);
        }
      },
      async cancel() {
        detach();
        await it.return?.();
      },
    },
    { highWaterMark: options.highWaterMark ?? 1 },
  );
}

/** A Web WritableStream as a sink for pack, unpack and the other writers. */
export function fromWebWritable(stream: WritableStream<Uint8Array>): Writable {
  return Writable.fromWeb(stream);
}

/** pack as a pipeThrough() pair: raw bytes in, a container out. */
export function packTransformStream(options: PackOptions & StreamOptions = {}): WebTransformPair {
  return Duplex.toWeb(createPackStream(options));
}

/** unpack as a pipeThrough() pair: a container in, verified raw bytes out. */
export function unpackTransformStream(options: UnpackOptions & StreamOptions = {}): WebTransformPair {
  return Duplex.toWeb(createUnpackStream(options));
}
