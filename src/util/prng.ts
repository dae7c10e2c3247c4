// A small, fast, seeded PRNG (xoshiro128**), so generated data and tests are
// reproducible from a seed on every machine.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    // splitmix32 expands (seed, stream) into the four state words.
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Fills `out` with random bytes. */
  fill(out: Uint8Array): void {
    const words = Math.floor(out.length / 4);
    if (out.byteOffset % 4 === 0) {
      const u32 = new Uint32Array(out.buffer, out.byteOffset, words);
      for (let i = 0; i < words; i++) u32[i] = this.u32();
    } else {
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let i = 0; i < words; i++) view.setUint32(i * 4, this.u32(), true);
    }
    for (let i = words * 4; i < out.length; i++) out[i] = this.u32() & 0xff;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
