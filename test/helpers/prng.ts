// Seeded, reproducible test data (no Math.random): a splitmix32 generator
// and fillers for incompressible and text-like bytes.

/** splitmix32: a new uint32 on each call, the same sequence for the same seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Integer in [0, n). */
export function below(next: () => number, n: number): number {
  return next() % n;
}

/** Fills `out` with random bytes (incompressible). */
export function fillRandom(out: Uint8Array, next: () => number): Uint8Array {
  let i = 0;
  for (; i + 4 <= out.length; i += 4) {
    const v = next();
    out[i] = v;
    out[i + 1] = v >>> 8;
    out[i + 2] = v >>> 16;
    out[i + 3] = v >>> 24;
  }
  for (; i < out.length; i++) out[i] = next();
  return out;
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const EVENTS = ['click', 'view', 'purchase', 'login', 'logout', 'scroll'];
const PAGES = ['/', '/cart', '/search?q=shoes', '/item/4711', '/checkout', '/account'];

/** Fills `out` with JSON-lines-like log text (compressible, like real logs). */
export function fillText(out: Uint8Array, next: () => number): Uint8Array {
  const encoder = new TextEncoder();
  let at = 0;
  let id = below(next, 100_000);
  while (at < out.length) {
    const line =
      `{"id":${id++},"user":"${USERS[below(next, USERS.length)] ?? ''}",` +
      `"event":"${EVENTS[below(next, EVENTS.length)] ?? ''}","page":"${PAGES[below(next, PAGES.length)] ?? ''}",` +
      `"ms":${below(next, 5000)},"ok":${below(next, 10) > 0 ? 'true' : 'false'}}\n`;
    at += encoder.encodeInto(line, out.subarray(at)).written;
  }
  return out;
}
