// The shared seeded generator (test/helpers/prng.ts), with the argument order
// these tests were written against.
import { below as helperBelow, fillRandom as helperFill, prng } from '../helpers/prng.js';

export type Rng = () => number;

export const splitmix32: (seed: number) => Rng = prng;

export function fillRandom(rng: Rng, out: Uint8Array): Uint8Array {
  return helperFill(out, rng);
}

export function randomBytes(rng: Rng, length: number): Uint8Array {
  return fillRandom(rng, new Uint8Array(length));
}

export const below: (rng: Rng, n: number) => number = helperBelow;
