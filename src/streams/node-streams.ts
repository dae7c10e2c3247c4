// Node stream factories: a Duplex whose writable side feeds pack (or unpack)
// and whose readable side carries what it produces. Backpressure holds end
// to end: a write is acknowledged only when the engine has taken its bytes
// into the ring, and the engine's output waits while the readable side is
// above its highWaterMark; so memory stays at the ring plus the two buffers.
import { Duplex, Writable } from 'node:stream';
import { pack, unpack, type PackReport, type UnpackReport } from '../api.js';
import { AbortError } from '../errors.js';
import type { PackOptions, UnpackOptions } from '../options.js';

type Callback = (err?: Error | null) => void;

export interface StreamOptions {
  /** Both sides' highWaterMark in bytes (default: Node's, 16 KiB / 64 KiB). */
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
}

/** Written bytes on their way into the engine, as the async iterable its source reads. */
class Inbox implements AsyncIterable<Uint8Array> {
  private item: { chunk: Uint8Array; done: Callback } | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  put(chunk: Uint8Array, done: Callback): void {
    this.item = { chunk, done };
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const item = this.item;
      if (item !== undefined) {
        this.item = undefined;
        try {
          yield item.chunk;
        } finally {
          // The engine asks for more only once it has copied this chunk: acknowledge the write now.
          item.done();
        }
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

type Run<R> = (source: AsyncIterable<Uint8Array>, sink: Writable, signal: AbortSignal) => Promise<R>;

/** A Duplex over one engine run; `report` settles when the run does. */
export class EngineStream<R> extends Duplex {
  readonly report: Promise<R>;
  private readonly inbox = new Inbox();
  private readonly ctl = new AbortController();
  private started = false;
  private startRun: () => void = () => undefined;
  private cancelReport: (err: Error) => void = () => undefined;
  private finalCallback: Callback | undefined;
  private pendingPush: (() => void) | undefined;
  private readonly pieceSize: number;

  constructor(run: Run<R>, opts: StreamOptions = {}) {
    super({
      readableHighWaterMark: opts.readableHighWaterMark ?? opts.highWaterMark,
      writableHighWaterMark: opts.writableHighWaterMark ?? opts.highWaterMark,
    });
    this.pieceSize = Math.max(1024, this.readableHighWaterMark);
    // The engine's sink: each write is pushed to the readable side in pieces
    // of at most highWaterMark bytes, waiting for _read when push() says so.
    const out = new Writable({
      highWaterMark: 0,
      write: (chunk: Uint8Array, _enc, cb: Callback) => this.pushPieces(chunk, 0, cb),
      final: (cb: Callback) => {
        this.push(null);
        cb();
      },
    });
    // The run destroys its sink when it fails; that failure reaches us as the run's rejection.
    out.on('error', () => undefined);
    this.report = new Promise<R>((resolve, reject) => {
      // Destroyed before the run started: the report settles all the same.
      this.cancelReport = reject;
      this.startRun = () => {
        run(this.inbox, out, this.ctl.signal).then(
          (report) => {
            resolve(report);
            const cb = this.finalCallback;
            this.finalCallback = undefined;
            cb?.();
          },
          (err: unknown) => {
            reject(err instanceof Error ? err : new Error(String(err)));
            this.destroy(err instanceof Error ? err : new Error(String(err)));
          },
        );
      };
    });
    // Errors also reach 'error' listeners; an unobserved report must not crash the process.
    this.report.catch(() => undefined);
  }

  private pushPieces(chunk: Uint8Array, at: number, cb: Callback): void {
    while (at < chunk.length) {
      const end = Math.min(chunk.length, at + this.pieceSize);
      const more = this.push(chunk.subarray(at, end));
      at = end;
      if (!more && at < chunk.length) {
        this.pendingPush = () => this.pushPieces(chunk, at, cb);
        return;
      }
      if (!more) {
        this.pendingPush = () => cb();
        return;
      }
    }
    cb();
  }

  private ensureStarted(): void {
    if (this.started) return;
    this.started = true;
    this.startRun();
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: Callback): void {
    this.ensureStarted();
    this.inbox.put(chunk, callback);
  }

  override _final(callback: Callback): void {
    this.finalCallback = callback;
    this.ensureStarted();
    this.inbox.end();
  }

  override _read(): void {
    const p = this.pendingPush;
    this.pendingPush = undefined;
    p?.();
  }

  override _destroy(err: Error | null, callback: Callback): void {
    if (!this.ctl.signal.aborted) this.ctl.abort(err ?? new AbortError('stream destroyed'));
    // Let the run remove its partial state before the stream reports closed.
    if (!this.started) {
      this.started = true;
      this.cancelReport(new AbortError('stream destroyed before it started', { cause: err ?? undefined }));
      callback(err);
      return;
    }
    this.report.then(
      () => callback(err),
      () => callback(err),
    );
  }
}

function linked(own: AbortSignal, caller: AbortSignal | undefined): AbortSignal {
  return caller === undefined ? own : AbortSignal.any([own, caller]);
}

/** A Duplex: raw bytes in, a container out. Options are pack()'s plus highWaterMarks. */
export function createPackStream(options: PackOptions & StreamOptions = {}): EngineStream<PackReport> {
  return new EngineStream((source, sink, signal) => pack(source, sink, { ...options, signal: linked(signal, options.signal) }), options);
}

/** A Duplex: a container in, its verified raw bytes out. */
export function createUnpackStream(options: UnpackOptions & StreamOptions = {}): EngineStream<UnpackReport> {
  return new EngineStream((source, sink, signal) => unpack(source, sink, { ...options, signal: linked(signal, options.signal) }), options);
}
