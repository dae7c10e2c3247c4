// Batches to items: an async generator of arrays as one of their items.

/**
 * Yields each item of each batch and returns what `batches` returns; leaving
 * early returns `batches` too (so whatever it runs is stopped). `stop`, when
 * given, is asked before each item: an error it returns is thrown into
 * `batches` (which fails with it) instead of handing out the rest of a batch.
 */
export async function* flatten<T, R>(batches: AsyncGenerator<T[], R>, stop?: () => Error | undefined): AsyncGenerator<T, R> {
  let ended = false;
  try {
    for (;;) {
      const step = await batches.next();
      if (step.done === true) {
        ended = true;
        return step.value;
      }
      for (const item of step.value) {
        const err = stop?.();
        if (err !== undefined) {
          ended = true;
          await batches.throw(err);
          throw err;
        }
        yield item;
      }
    }
  } finally {
    if (!ended) await (batches as AsyncGenerator<T[], unknown>).return(undefined);
  }
}
