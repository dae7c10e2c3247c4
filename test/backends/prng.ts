// Seeded test data: splitmix32, so every run hashes the same bytes.

export type Rng = () => number;

/** A 32-bit splitmix generator: a new unsigned 32-bit value per call. */
export function splitmix32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Fills `out` (any view, shared or not) with the generator's words, little-endian. */
export function fillRandom(rng: Rng, out: Uint8Array): Uint8Array {
  const words = new Uint32Array(Math.ceil(out.length / 4));
  for (let i = 0; i < words.length; i++) words[i] = rng();
  out.set(new Uint8Array(words.buffer, 0, out.length));
  return out;
}

export function randomBytes(rng: Rng, length: number): Uint8Array {
  return fillRandom(rng, new Uint8Array(length));
}

/** An integer in [0, n). */
export function below(rng: Rng, n: number): number {
  return rng() % n;
}
