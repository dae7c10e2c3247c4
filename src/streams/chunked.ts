// Lazy fixed-size chunking of anything sequential. Nothing is read ahead of
// what the consumer asks for: a chunk is built only when the consumer calls
// next(), from as many source items as it needs, so an endless or very large
// source is never materialised.
import type { Readable } from 'node:stream';
import { AbortError, ValidationError } from '../errors.js';

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export interface ChunkedOptions {
  signal?: AbortSignal;
  /**
   * 'auto' (default): a stream or iterable whose first item is a Uint8Array
   * (and a Node Readable not in object mode) is a byte stream, chunked into
   * Uint8Arrays of `size` bytes; anything else is chunked into arrays of
   * `size` items. 'items' always groups items.
   */
  mode?: 'auto' | 'items';
}

/** Typed arrays: subarrays of `size` elements (views, no copy). */
export function chunked<A extends TypedArray>(source: A, size: number, options?: ChunkedOptions): AsyncGenerator<A>;
/** Arrays: slices of `size` items, one at a time. */
export function chunked<T>(source: readonly T[], size: number, options?: ChunkedOptions): AsyncGenerator<T[]>;
/** Any (async) iterable grouped into arrays of `size` items. */
export function chunked<T>(source: AsyncIterable<T> | Iterable<T>, size: number, options: ChunkedOptions & { mode: 'items' }): AsyncGenerator<T[]>;
/** Byte streams (Node Readable, Web ReadableStream, iterables of Uint8Array): `size` bytes each, the last shorter. */
export function chunked(source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number, options?: ChunkedOptions): AsyncGenerator<Uint8Array>;
/** Any other (async) iterable: arrays of `size` items, the last shorter. */
export function chunked<T>(source: AsyncIterable<T> | Iterable<T>, size: number, options?: ChunkedOptions): AsyncGenerator<T[]>;
export function chunked(source: unknown, size: number, options: ChunkedOptions = {}): AsyncGenerator<unknown> {
  if (!Number.isSafeInteger(size) || size < 1) throw new ValidationError('size', `${String(size)} is not a positive whole number`);
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'items') throw new ValidationError('mode', `${JSON.stringify(mode)} is not 'auto' or 'items'`);
  if (ArrayBuffer.isView(source) && !(source instanceof DataView)) return typedChunks(source as TypedArray, size, options.signal);
  if (Array.isArray(source)) return arrayChunks(source as unknown[], size, options.signal);
  if (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    const objectMode = 'readableObjectMode' in source && source.readableObjectMode === true;
    return streamChunks(source as AsyncIterable<unknown> | Iterable<unknown>, size, mode === 'items' || objectMode, options.signal);
  }
  throw new ValidationError('source', 'expected an array, a typed array, an iterable, an async iterable or a byte stream');
}

function check(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError('chunked iteration aborted', { cause: signal.reason });
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async generator, so every source kind has one interface
async function* typedChunks(source: TypedArray, size: number, signal: AbortSignal | undefined): AsyncGenerator<TypedArray> {
  for (let at = 0; at < source.length; at += size) {
    check(signal);
    yield source.subarray(at, Math.min(source.length, at + size));
  }
}

// eslint-disable-next-line @typescript-eslint/require-await -- see typedChunks
async function* arrayChunks(source: readonly unknown[], size: number, signal: AbortSignal | undefined): AsyncGenerator<unknown[]> {
  for (let at = 0; at < source.length; at += size) {
    check(signal);
    yield source.slice(at, at + size);
  }
}

async function* streamChunks(source: AsyncIterable<unknown> | Iterable<unknown>, size: number, itemsOnly: boolean, signal: AbortSignal | undefined): AsyncGenerator<unknown> {
  let bytes: boolean | undefined = itemsOnly ? false : undefined;
  let items: unknown[] = [];
  // Byte mode: a chunk being filled, and how far.
  let buf: Uint8Array | undefined;
  let fill = 0;
  check(signal);
  for await (const item of source) {
    check(signal);
    bytes ??= item instanceof Uint8Array;
    if (!bytes) {
      items.push(item);
      if (items.length === size) {
        yield items;
        items = [];
      }
      continue;
    }
    if (!(item instanceof Uint8Array)) throw new ValidationError('source', `a byte stream yielded a ${typeof item} after Uint8Array items`);
    let pos = 0;
    while (pos < item.length) {
      // Whole chunks straight out of the source's buffer when nothing is pending.
      if (buf === undefined && item.length - pos >= size) {
        yield item.subarray(pos, pos + size);
        pos += size;
        continue;
      }
      buf ??= new Uint8Array(size);
      const n = Math.min(size - fill, item.length - pos);
      buf.set(item.subarray(pos, pos + n), fill);
      fill += n;
      pos += n;
      if (fill === size) {
        yield buf;
        buf = undefined;
        fill = 0;
      }
    }
  }
  if (bytes === true && buf !== undefined && fill > 0) yield buf.subarray(0, fill);
  if (bytes !== true && items.length > 0) yield items;
}
