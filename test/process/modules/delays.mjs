// Test module: each call waits a pseudo-random time (seeded by the chunk's
// sequence), so calls finish out of order.
import { createHash } from 'node:crypto';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const delayOf = (sequence, max) => (Math.imul(sequence + 1, 2654435761) >>> 0) % (max + 1);

/** What the chunk was: its identity and a digest of its bytes. */
export default async function describe(bytes, { sequence, offset, params }) {
  await sleep(delayOf(sequence, params?.maxDelay ?? 10));
  return { sequence, offset, length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The chunk itself (a view of the ring: it never leaves it). */
export async function identity(bytes, { sequence, params }) {
  await sleep(delayOf(sequence, params?.maxDelay ?? 10));
  return bytes;
}

/** Nothing at all: the cost of a call and nothing else. */
export function nothing() {}
