// Runs that fail midway: nothing partial is left, and the error says why.
import { appendFileSync, existsSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, InputChangedError, IoError, ValidationError, pack, unpack } from '../dist/index.js';
import { sample, tempDir } from './helpers/fixtures.js';

const tmp = tempDir('hvs-failures-');
afterAll(() => tmp.cleanup());
const data = sample('mixed', 8 * 1024 * 1024, 77);

describe('failing runs', () => {
  it('an AbortSignal stops a pack midway and removes the output', async () => {
    writeFileSync(tmp.path('abort.bin'), data);
    const ctl = new AbortController();
    const err = await pack(tmp.path('abort.bin'), tmp.path('abort.hvs'), {
      chunkSize: 65536,
      ringSlots: 4,
      progressIntervalMs: 0,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.chunks > 8) ctl.abort(new Error('user cancelled'));
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(existsSync(tmp.path('abort.hvs'))).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('an already-aborted signal fails at once', async () => {
    await expect(pack(Readable.from([data]), new PassThrough(), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });

  it('a file that grows while it is packed fails with InputChangedError and leaves no output', async () => {
    writeFileSync(tmp.path('grow.bin'), data);
    let appended = false;
    const err = await pack(tmp.path('grow.bin'), tmp.path('grow.hvs'), {
      chunkSize: 65536,
      progressIntervalMs: 0,
      onProgress: () => {
        if (!appended) appendFileSync(tmp.path('grow.bin'), 'more data arrived');
        appended = true;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputChangedError);
    expect((err as Error).message).toMatch(/grow\.bin changed while it was read: size went from 8388608 to 8388625 bytes/);
    expect(existsSync(tmp.path('grow.hvs'))).toBe(false);
  });

  it('a file that shrinks while it is packed fails with InputChangedError', async () => {
    writeFileSync(tmp.path('shrink.bin'), data);
    let cut = false;
    const err = await pack(tmp.path('shrink.bin'), tmp.path('shrink.hvs'), {
      chunkSize: 65536,
      ringSlots: 4,
      progressIntervalMs: 0,
      onProgress: () => {
        if (!cut) truncateSync(tmp.path('shrink.bin'), 1024 * 1024);
        cut = true;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputChangedError);
    expect(existsSync(tmp.path('shrink.hvs'))).toBe(false);
  });

  it('a source stream that errors midway: IoError with the cause, output removed', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield data.subarray(0, 1_000_000);
      await Promise.resolve();
      throw Object.assign(new Error('connection reset by peer'), { code: 'ECONNRESET' });
    }
    const err = await pack(broken(), tmp.path('broken.hvs')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/cannot read input stream: connection reset by peer/);
    expect((err as IoError).cause).toBeInstanceOf(Error);
    expect(existsSync(tmp.path('broken.hvs'))).toBe(false);
  });

  it('a sink that fails: IoError naming the output stream', async () => {
    const failing = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('disk quota exceeded'), { code: 'EDQUOT' }));
      },
    });
    const err = await pack(Readable.from([data]), failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/cannot write output stream/);
  });

  it('a source that yields strings is rejected with a clear error', async () => {
    const err = await pack(Readable.from(['not', 'bytes'], { objectMode: true }), new PassThrough()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/expected Uint8Array chunks/);
  });

  it('unpack into a Writable that fails midway removes nothing it does not own and reports IoError', async () => {
    const container = new PassThrough();
    const parts: Buffer[] = [];
    container.on('data', (d: Buffer) => parts.push(d));
    await pack(Readable.from([data]), container, { chunkSize: 65536 });
    let written = 0;
    const failing = new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        cb(written > 1_000_000 ? new Error('EPIPE-ish') : null);
      },
    });
    await expect(unpack([Buffer.concat(parts)], failing)).rejects.toBeInstanceOf(IoError);
  });
});
