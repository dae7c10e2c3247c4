// Streams waiting for ring memory, first come first served: when a stream
// ends and its slots go back, every waiter tries again in order (and one
// that still does not fit waits again at the back... of those behind it
// none takes memory ahead of it: see Engine.allocSlots).
import { AbortError } from '../../errors.js';

export class MemoryQueue {
  private readonly waiters: Array<() => void> = [];

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves when memory was freed (try again); rejects with AbortError when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(retry);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new AbortError('aborted while waiting for ring memory', { cause: signal.reason }));
      };
      const retry = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(retry);
    });
  }

  /** Memory was freed (or the engine closes): every waiter tries again. */
  wakeAll(): void {
    for (const retry of this.waiters.splice(0)) retry();
  }
}
