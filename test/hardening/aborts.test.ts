// Every wait is abortable: a source that stops yielding, a sink that never
// drains, a FIFO nobody opens for reading, a stream factory destroyed while
// it waits for input. An aborted or destroyed run settles within 100 ms of
// the abort with AbortError, leaves no partial output and gives its ring
// slots back; a run that fails while its source stalls fails at once.
import { execFileSync } from 'node:child_process';
import { constants, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, ChecksumMismatchError, createPackStream, createUnpackStream, getEngine, inspect, pack, unpack, verify } from '../../dist/index.js';
import { sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-aborts-');
afterAll(() => tmp.cleanup());
const data = sample('mixed', 3 << 20, 31);

const never = new Promise<never>(() => undefined);

/** Yields `first`, then never yields again. */
async function* stalling(first: Uint8Array): AsyncGenerator<Uint8Array> {
  yield first;
  await never;
}

/** How long `p` took to settle after `t0`, and with what (a test timeout fails instead of hanging the suite). */
async function settle(p: Promise<unknown>, limitMs = 3000): Promise<{ ms: number; error: unknown }> {
  const t0 = performance.now();
  const timer = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), limitMs).unref());
  const outcome = await Promise.race([p.then(() => 'resolved' as const, (err: unknown) => ({ err })), timer]);
  if (outcome === 'hung') throw new Error(`did not settle within ${limitMs} ms`);
  if (outcome === 'resolved') throw new Error('resolved, but should have been aborted');
  return { ms: performance.now() - t0, error: outcome.err };
}

/** Waits for `p`, failing (instead of hanging the suite) past `ms`. */
async function within<T>(p: Promise<T>, ms = 1000): Promise<T> {
  const timer = new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms).unref());
  return Promise.race([p, timer]);
}

function slotsHeld(): number {
  return getEngine().stats().memory.slotsHeld;
}

function noPartials(dir: string): void {
  expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
}

describe('aborts settle', () => {
  it('pack from an async iterable that stops yielding: AbortError within 100 ms of the abort, no partial, slots freed', async () => {
    const dir = tempDir('hvs-abort-src-');
    try {
      const ctl = new AbortController();
      const run = pack(stalling(data.subarray(0, 200_000)), dir.path('out.hvs'), { signal: ctl.signal, chunkSize: '64KiB' });
      await new Promise((r) => setTimeout(r, 300));
      ctl.abort();
      const { ms, error } = await settle(run);
      expect(error).toBeInstanceOf(AbortError);
      expect(ms).toBeLessThan(100);
      noPartials(dir.dir);
      expect(slotsHeld()).toBe(0);
    } finally {
      dir.cleanup();
    }
  });

  it('pack from a Readable that stops pushing, with AbortSignal.timeout(300)', async () => {
    const dir = tempDir('hvs-abort-readable-');
    try {
      const source = new Readable({ read() {} });
      source.push(data.subarray(0, 100_000));
      const t0 = performance.now();
      const { error } = await settle(pack(source, dir.path('out.hvs'), { signal: AbortSignal.timeout(300) }));
      expect(error).toBeInstanceOf(AbortError);
      expect(performance.now() - t0).toBeLessThan(400);
      expect(source.destroyed).toBe(true);
      noPartials(dir.dir);
      expect(slotsHeld()).toBe(0);
    } finally {
      dir.cleanup();
    }
  });

  it('unpack into a Writable that never drains: AbortError within 100 ms of the abort', async () => {
    const container = tmp.path('c.hvs');
    await pack(data, container, { chunkSize: '64KiB' });
    const stuck = new Writable({ highWaterMark: 1, write() {} });
    const ctl = new AbortController();
    const run = unpack(container, stuck, { signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 300));
    ctl.abort();
    const { ms, error } = await settle(run);
    expect(error).toBeInstanceOf(AbortError);
    expect(ms).toBeLessThan(100);
    expect(slotsHeld()).toBe(0);
  });

  it('pack into a FIFO nobody reads: AbortError within 100 ms, nothing left', async () => {
    const fifo = tmp.path('fifo');
    execFileSync('mkfifo', [fifo]);
    const ctl = new AbortController();
    const run = pack(data, fifo, { signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 200));
    ctl.abort();
    const { ms, error } = await settle(run);
    expect(error).toBeInstanceOf(AbortError);
    expect(ms).toBeLessThan(100);
    // Let the open still waiting in the thread pool return (and be closed).
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await new Promise((r) => setTimeout(r, 50));
    closeSync(reader);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('a run that fails while its source stalls fails at once (no abort needed)', async () => {
    const container = tmp.path('bad.hvs');
    await pack(sample('random', 12 << 20, 3), container, { chunkSize: '64KiB' });
    const bytes = readFileSync(container);
    // Corrupt the data of chunk 0; hand over the first batch of blocks (8 MiB) and more, then stall.
    const at = (await inspect(container)).headerBytes + 200;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    const { error } = await settle(verify(stalling(bytes.subarray(0, 10 << 20))));
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(slotsHeld()).toBe(0);
  });

  it.each([
    ['createPackStream', () => createPackStream({ chunkSize: '64KiB' })],
    ['createUnpackStream', () => createUnpackStream()],
  ] as const)('%s destroyed before any write: close fires, report rejects with AbortError', async (_name, make) => {
    const s = make();
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.destroy();
    const { ms, error } = await settle(Promise.all([closed, s.report]));
    expect(error).toBeInstanceOf(AbortError);
    expect(ms).toBeLessThan(100);
  });

  /** Destroys a running stream factory: 'close' fires, the report rejects with AbortError, all within 100 ms; the slots are free. */
  async function destroySettles(s: ReturnType<typeof createPackStream> | ReturnType<typeof createUnpackStream>): Promise<void> {
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    const t0 = performance.now();
    s.destroy();
    await within(closed);
    const { error } = await settle(s.report);
    expect(error).toBeInstanceOf(AbortError);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(slotsHeld()).toBe(0);
  }

  it('createPackStream destroyed while waiting for more input: close fires and report settles within 100 ms', async () => {
    const s = createPackStream({ chunkSize: '64KiB' });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.write(data.subarray(0, 300_000), () => resolve()));
    await new Promise((r) => setTimeout(r, 100));
    await destroySettles(s);
  });

  it('createUnpackStream destroyed while its reader does not read: close fires and report settles', async () => {
    const container = tmp.path('d.hvs');
    await pack(data, container, { chunkSize: '64KiB' });
    const s = createUnpackStream({ highWaterMark: 1024 });
    s.on('error', () => undefined);
    // Nobody reads: the engine's output waits for _read; the input waits behind it.
    s.write(readFileSync(container));
    await new Promise((r) => setTimeout(r, 300));
    await destroySettles(s);
  });
});
