// The data profiles ML ingestion sees. Each fills one block from its own
// PRNG stream, so output is the same whatever size it is read in.
import { Prng } from './prng.js';

export type Profile = 'text' | 'tensor' | 'random' | 'mixed';
export const PROFILES: readonly Profile[] = ['text', 'tensor', 'random', 'mixed'];

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you ' +
  'were her she there been one all we their has would when if so no will more out up into do any about time them ' +
  'model training data batch tensor layer gradient loss epoch sample feature label vector embedding token weight ' +
  'network input output stream chunk worker queue signal value error result learning rate inference dataset split'
).split(' ');
const enc = new TextEncoder();
const WORD_BYTES = WORDS.map((w) => enc.encode(w));
const LABELS = ['cat', 'dog', 'bird', 'fish', 'horse', 'ship', 'truck', 'plane'].map((w) => enc.encode(w));

/** JSON Lines training records: LZ4 typically halves them. */
export function fillText(out: Uint8Array, prng: Prng): void {
  let pos = 0;
  let id = prng.u32() % 1_000_000;
  const put = (bytes: Uint8Array): void => {
    if (pos + bytes.length <= out.length) {
      out.set(bytes, pos);
      pos += bytes.length;
    } else {
      out.set(bytes.subarray(0, out.length - pos), pos);
      pos = out.length;
    }
  };
  // Writes a non-negative integer as ASCII digits (no string building).
  const putInt = (v: number, minDigits: number): void => {
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    digits = Math.max(digits, minDigits);
    for (let i = digits - 1; i >= 0; i--) {
      if (pos + i < out.length) out[pos + i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    pos = Math.min(out.length, pos + digits);
  };
  while (pos < out.length) {
    put(P_ID);
    putInt(id++, 1);
    put(prng.int(10) < 8 ? P_TRAIN : P_TEST);
    put(LABELS[prng.int(LABELS.length)] ?? P_END);
    put(P_SCORE);
    putInt(prng.int(10000), 4);
    put(P_TEXT);
    const words = 8 + prng.int(24);
    for (let w = 0; w < words && pos < out.length; w++) {
      if (w > 0) out[pos++] = 0x20;
      put(WORD_BYTES[prng.int(WORD_BYTES.length)] ?? P_END);
    }
    put(P_END);
  }
}

const P_ID = enc.encode('{"id":');
const P_TRAIN = enc.encode(',"split":"train","label":"');
const P_TEST = enc.encode(',"split":"test","label":"');
const P_SCORE = enc.encode('","score":0.');
const P_TEXT = enc.encode(',"text":"');
const P_END = enc.encode('"}\n');

/** float32 activations: random mantissas and signs, exponents clustered around 2^-3..2^1; barely compressible. */
export function fillTensor(out: Uint8Array, prng: Prng): void {
  prng.fill(out);
  const n = Math.floor(out.length / 4);
  if (out.byteOffset % 4 !== 0 || n === 0) return;
  const words = new Uint32Array(out.buffer, out.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const r = words[i] ?? 0;
    // Keep sign and mantissa; exponent 124..127 (values of magnitude 0.0625..2).
    words[i] = ((r & 0x807fffff) | ((124 + ((r >>> 23) & 3)) << 23)) >>> 0;
  }
}

export function fillRandom(out: Uint8Array, prng: Prng): void {
  prng.fill(out);
}

/** Mixed: per block, half text, three tenths tensor, one fifth random. */
export function pickMixed(prng: Prng): Exclude<Profile, 'mixed'> {
  const r = prng.int(10);
  return r < 5 ? 'text' : r < 8 ? 'tensor' : 'random';
}

export function fillBlock(profile: Profile, out: Uint8Array, seed: number, block: number): void {
  const prng = new Prng(seed, block);
  const kind = profile === 'mixed' ? pickMixed(prng) : profile;
  if (kind === 'text') fillText(out, prng);
  else if (kind === 'tensor') fillTensor(out, prng);
  else fillRandom(out, prng);
}
