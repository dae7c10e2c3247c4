// How the caller's function fails, through the public API: a thrown error,
// a transient one (retried), a deadline (async: its signal; a blocked
// thread: the worker is stopped), a crashed worker (replaced, the task
// retried), the breaker when failures go on; a bad module or export before
// any data is read. Each names the chunk, with the original error as cause.
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CircuitOpenError, Engine, ProcessError, TimeoutError, ValidationError, WorkerCrashedError, processStream, processTo, type ProcessOptions, type Source } from '../../dist/index.js';
import { sample, tempDir } from '../helpers/fixtures.js';

const KiB = 1024;
const engine = new Engine({ threads: 2 });
const tmp = tempDir();
afterAll(async () => {
  // Workers that replaced crashed or stopped ones may still be booting: let
  // them finish before the pool is destroyed (terminating a worker while it
  // loads its entry module has aborted a whole Node 20 process, once).
  await new Promise((resolve) => setTimeout(resolve, 500));
  await engine.close();
  tmp.cleanup();
});

const faults = new URL('./modules/faults.mjs', import.meta.url).pathname;
const data = sample('text', 16 * 64 * KiB, 5);
/** Chunk 5 of 64 KiB chunks starts here. */
const AT = 5;
const OFFSET = AT * 64 * KiB;

async function run(o: Partial<ProcessOptions>, source: Source = data): Promise<number> {
  let n = 0;
  for await (const _ of processStream(source, { engine, module: faults, chunkSize: '64KiB', ...o })) n++;
  return n;
}

async function failure(o: Partial<ProcessOptions>): Promise<unknown> {
  return run(o).then(
    () => undefined,
    (e: unknown) => e,
  );
}

const markers = (): string => mkdtempSync(join(tmp.dir, 'marks-'));

describe('process: the function fails', () => {
  it('throws: ProcessError names the chunk and its offset, the error is its cause, nothing is retried', async () => {
    const err = await failure({ export: 'throws', params: { at: AT } });
    expect(err).toBeInstanceOf(ProcessError);
    expect(err).toMatchObject({ code: 'E_PROCESS', exitCode: 22, sequence: AT, offset: OFFSET, reason: 'error', attempts: 1 });
    const cause = (err as ProcessError).cause;
    expect(cause).toBeInstanceOf(Error);
    expect(cause).toMatchObject({ name: 'RangeError', message: `no good: chunk ${AT}`, code: 'E_MINE' });
    expect((cause as Error).stack).toMatch(/faults\.mjs/);
  });

  it('fails transiently once: the task is retried and the run succeeds', async () => {
    await expect(run({ export: 'flaky', params: { at: AT, dir: markers() } })).resolves.toBe(16);
  });

  it('keeps failing transiently: retried with backoff, then ProcessError with the attempts', async () => {
    const err = await failure({ export: 'alwaysFlaky', params: { at: AT }, resilience: { retry: { maxAttempts: 3, baseDelay: 1 } } });
    expect(err).toMatchObject({ sequence: AT, offset: OFFSET, reason: 'transient', attempts: 3 });
    expect((err as ProcessError).cause).toMatchObject({ message: 'still failing' });
  });

  it('runs past the deadline: its signal aborts, and the chunk is named with a TimeoutError', async () => {
    const t0 = performance.now();
    const err = await failure({ export: 'slow', params: { at: AT }, timeoutMs: 200, resilience: { retry: { maxAttempts: 2, baseDelay: 1 } } });
    expect(err).toMatchObject({ sequence: AT, offset: OFFSET, reason: 'timeout', attempts: 2 });
    expect((err as ProcessError).cause).toBeInstanceOf(TimeoutError);
    // Two attempts at the soft deadline, not the hard one a second later.
    expect(performance.now() - t0).toBeLessThan(2 * 1000);
  });

  it('blocks its thread past the deadline: the worker is stopped and the chunk that was running is named', async () => {
    const err = await failure({ export: 'hangs', params: { at: AT }, timeoutMs: 100, resilience: { retry: false } });
    expect(err).toMatchObject({ sequence: AT, offset: OFFSET, reason: 'timeout' });
    expect((err as ProcessError).cause).toBeInstanceOf(TimeoutError);
    // The pool is whole again afterwards.
    await expect(run({ export: 'throws', params: { at: -1 } })).resolves.toBe(16);
  });

  it('crashes its worker once: the worker is replaced, the task retried, the run succeeds', async () => {
    const dir = markers();
    await expect(run({ export: 'crashes', params: { at: AT, dir } })).resolves.toBe(16);
    expect(existsSync(join(dir, `crashed-${AT}`))).toBe(true);
  });

  it('crashes its worker every time: ProcessError names the chunk, WorkerCrashedError is the cause', async () => {
    const err = await failure({ export: 'crashes', params: { at: AT, dir: markers(), always: true }, resilience: { retry: { maxAttempts: 2, baseDelay: 1 } } });
    expect(err).toMatchObject({ sequence: AT, offset: OFFSET, reason: 'crash', attempts: 2 });
    expect((err as ProcessError).cause).toBeInstanceOf(WorkerCrashedError);
  });

  it('keeps failing: the breaker opens and the run stops with CircuitOpenError', async () => {
    const err = await failure({
      export: 'alwaysFlaky',
      params: { at: AT },
      resilience: { breaker: { failureThreshold: 2, minimumCalls: 1, openMs: 150 }, patienceMs: 200, retry: { maxAttempts: 50, baseDelay: 1, maxDelay: 5 } },
    });
    expect(err).toBeInstanceOf(CircuitOpenError);
  });
});

describe('process: a bad module fails before any data is read', () => {
  let pulled = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    pulled++;
    yield await Promise.resolve(data);
  }

  it.each([
    ['a path that does not exist', { module: join(tmp.dir, 'nope.mjs') }, /no such file/],
    ['a module without the export', { module: faults, export: 'missing' }, /has no function export "missing" \(its function exports: .*throws/],
    ['an export that is not a function', { module: faults, export: 'notAFunction' }, /has no function export "notAFunction"/],
    ['a module that does not load', { module: new URL('../helpers/fixtures.ts', import.meta.url).pathname }, /cannot load/],
  ])('%s', async (_name, o, message) => {
    pulled = 0;
    const err = await run(o, counted()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(message);
    expect(pulled).toBe(0);
  });

  it('processTo creates no output either', async () => {
    const out = tmp.path('never.out');
    await expect(processTo(counted(), out, { engine, module: faults, export: 'missing' })).rejects.toThrow(ValidationError);
    expect(existsSync(out)).toBe(false);
  });

  it('options that cannot work are refused at once', async () => {
    await expect(run({ export: 'throws', params: { fn: () => 1 } })).rejects.toThrow(/invalid params/);
    await expect(run({ export: 'throws', timeoutMs: 0 })).rejects.toThrow(/invalid timeoutMs/);
    await expect(run({ export: '1x' })).rejects.toThrow(/invalid export/);
    await expect(run({ export: 'throws', boundary: 'tab' as never })).rejects.toThrow(/invalid boundary/);
    await expect(run({ export: 'throws', input: 'zip' as never })).rejects.toThrow(/invalid input/);
    await expect(run({ export: 'throws', boundary: 'newline', chunkSize: '64KiB', maxRecordSize: '4KiB' })).rejects.toThrow(/invalid maxRecordSize/);
  });
});
