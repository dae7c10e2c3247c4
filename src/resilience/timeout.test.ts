import { describe, expect, it } from 'vitest';
import { AbortError, FakeClock, Timeout, TimeoutError, ValidationError } from './index.js';
import { deferred, flush, settle } from './test-helpers.js';

function timeout(ms: number): { clock: FakeClock; t: Timeout } {
  const clock = new FakeClock();
  return { clock, t: new Timeout({ timeoutMs: ms, clock, name: 'hash chunk' }) };
}

describe('Timeout', () => {
  it('returns the result of an operation that beats the deadline, and clears its timer', async () => {
    const { clock, t } = timeout(100);
    let seen: AbortSignal | undefined;
    await expect(
      t.execute((signal) => {
        seen = signal;
        return Promise.resolve(42);
      }),
    ).resolves.toBe(42);
    expect(clock.pending).toBe(0);
    expect(seen?.aborted).toBe(false);
  });

  it('rejects with TimeoutError at the deadline even if the operation ignores its signal', async () => {
    const { clock, t } = timeout(100);
    const events: number[] = [];
    t.on('timeout', (e) => events.push(e.timeoutMs));
    const never = deferred();
    const p = settle(t.execute(() => never.promise));
    clock.advance(99);
    await flush();
    clock.advance(1);
    const err = await p;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).timeoutMs).toBe(100);
    expect((err as TimeoutError).message).toBe('hash chunk timed out after 100 ms');
    expect(events).toEqual([100]);
    // A late settlement is ignored (and raises no unhandled rejection).
    never.reject(new Error('too late'));
    await flush();
    expect(t.stats()).toMatchObject({ calls: 1, timeouts: 1, failures: 0, successes: 0 });
  });

  it('aborts the operation’s signal at the deadline, with the TimeoutError as reason', async () => {
    const { clock, t } = timeout(50);
    let seen: AbortSignal | undefined;
    const p = settle(
      t.execute(
        (signal) =>
          new Promise<never>((_, reject) => {
            seen = signal;
            signal.addEventListener('abort', () => reject(new Error('stopped work')));
          }),
      ),
    );
    clock.advance(50);
    const err = await p;
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(err);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it('aborts the operation’s signal when the caller aborts, rejecting with AbortError', async () => {
    const { clock, t } = timeout(1000);
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    const p = settle(
      t.execute((signal) => {
        seen = signal;
        return deferred().promise;
      }, ac.signal),
    );
    const reason = new Error('user cancelled');
    ac.abort(reason);
    const err = await p;
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).cause).toBe(reason);
    expect(seen?.aborted).toBe(true);
    expect(clock.pending).toBe(0);
    expect(t.stats().aborted).toBe(1);
  });

  it('stops listening to the caller’s signal once the call is over', async () => {
    const { t } = timeout(1000);
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    await t.execute((signal) => {
      seen = signal;
      return Promise.resolve('ok');
    }, ac.signal);
    ac.abort();
    expect(seen?.aborted).toBe(false);
  });

  it('does not run the operation when the caller already aborted', async () => {
    const { t } = timeout(1000);
    let ran = false;
    const err = await settle(
      t.execute(() => {
        ran = true;
        return Promise.resolve();
      }, AbortSignal.abort()),
    );
    expect(err).toBeInstanceOf(AbortError);
    expect(ran).toBe(false);
  });

  it('passes the operation’s own error through untouched', async () => {
    const { t } = timeout(1000);
    const own = new Error('disk full');
    await expect(t.execute(() => Promise.reject(own))).rejects.toBe(own);
    const thrown = await settle(
      t.execute(() => {
        throw own;
      }),
    );
    expect(thrown).toBe(own);
    expect(t.stats().failures).toBe(2);
  });

  it('with Infinity sets no timer but still links the caller’s signal', async () => {
    const clock = new FakeClock();
    const t = new Timeout({ timeoutMs: Infinity, clock });
    const ac = new AbortController();
    const p = settle(t.execute(() => deferred().promise, ac.signal));
    expect(clock.pending).toBe(0);
    ac.abort();
    expect(await p).toBeInstanceOf(AbortError);
    await expect(t.execute(() => Promise.resolve(1))).resolves.toBe(1);
  });

  it('accepts a plain number of ms and rejects nonsense', () => {
    expect(new Timeout(250).timeoutMs).toBe(250);
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => new Timeout(bad)).toThrow(ValidationError);
    }
  });
});
