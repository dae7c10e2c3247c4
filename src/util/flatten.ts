// Batches to items: an async generator of arrays as one of their items.

/**
 * Yields each item of each batch and returns what `batches` returns; leaving
 * early returns `batches` too (so whatever it runs is stopped).
 */
export async function* flatten<T, R>(batches: AsyncGenerator<T[], R>): AsyncGenerator<T, R> {
  let ended = false;
  try {
    for (;;) {
      const step = await batches.next();
      if (step.done === true) {
        ended = true;
        return step.value;
      }
      for (const item of step.value) yield item;
    }
  } finally {
    if (!ended) await (batches as AsyncGenerator<T[], unknown>).return(undefined);
  }
}
