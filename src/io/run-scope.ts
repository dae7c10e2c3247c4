// What one library call's waits listen to: the caller's signal, and the
// run's own first failure. A source that stalls or a sink that never drains
// then holds nothing up, whether the caller aborted or the run failed for
// another reason (a corrupt chunk, a worker that kept crashing).
import { setMaxListeners } from 'node:events';

export class RunScope {
  private readonly ctl = new AbortController();
  private readonly unlink: () => void;

  constructor(outer: AbortSignal | undefined) {
    setMaxListeners(0, this.ctl.signal);
    const onAbort = (): void => this.ctl.abort(outer?.reason);
    if (outer?.aborted === true) onAbort();
    outer?.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => outer?.removeEventListener('abort', onAbort);
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  /** The run failed: waits on its input and output settle now. */
  readonly fail = (err: Error): void => {
    if (!this.ctl.signal.aborted) this.ctl.abort(err);
  };

  dispose(): void {
    this.unlink();
  }
}
