// Jitter draws from an injectable source so tests can pin every delay.

/** Returns a number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * A small seeded generator (mulberry32): the same seed gives the same
 * sequence on every machine. Statistically fine for jitter, not for secrets.
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
