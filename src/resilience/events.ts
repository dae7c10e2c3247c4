// A tiny typed event emitter. Controllers extend Observable so users get
// `on/once/off` with checked event names and payloads, while `emit` stays
// protected. `hasListeners` lets hot paths skip building payloads nobody reads.

export type Listener<T> = (event: T) => void;

/** Event name -> payload type. */
export type EventMap = object;

export class Observable<E extends EventMap> {
  #listeners = new Map<keyof E, Listener<never>[]>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof E>(name: K, listener: Listener<E[K]>): () => void {
    const list = this.#listeners.get(name);
    // Copy on write: an emit in progress keeps iterating its own snapshot.
    this.#listeners.set(name, list === undefined ? [listener] : [...list, listener]);
    return () => this.off(name, listener);
  }

  /** Subscribes for the next event only. */
  once<K extends keyof E>(name: K, listener: Listener<E[K]>): () => void {
    const off = this.on(name, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  off<K extends keyof E>(name: K, listener: Listener<E[K]>): void {
    const list = this.#listeners.get(name);
    if (list === undefined) return;
    const i = list.indexOf(listener);
    if (i < 0) return;
    const next = list.filter((_, j) => j !== i);
    if (next.length === 0) this.#listeners.delete(name);
    else this.#listeners.set(name, next);
  }

  protected hasListeners(name: keyof E): boolean {
    return this.#listeners.has(name);
  }

  /**
   * Calls every listener. A throwing listener must not corrupt the controller
   * that is mid-transition, nor turn the caller's result into its error, so
   * its exception is rethrown on a fresh microtask where it surfaces as an
   * uncaught error (a bug to fix) instead.
   */
  protected emit<K extends keyof E>(name: K, event: E[K]): void {
    const list = this.#listeners.get(name) as Listener<E[K]>[] | undefined;
    if (list === undefined) return;
    for (const listener of list) {
      try {
        listener(event);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
