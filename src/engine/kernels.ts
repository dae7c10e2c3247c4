// The compute kernels a worker runs on ring memory: SHA-256 and LZ4 block
// compression (4-byte little-endian size prefix + LZ4 block).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

export interface Kernels {
  hashName: string;
  lz4Name: string;
  /** Writes the SHA-256 of `input` into `out` (32 bytes). */
  sha256(input: Uint8Array, out: Uint8Array): void;
  /** Compresses into `out`; returns bytes written (prefix included), or 0 when it does not fit. */
  lz4Compress(input: Uint8Array, out: Uint8Array): number;
  /** Decompresses prefixed LZ4 `input` into `out`; returns bytes written, or -1 when the data is corrupt. */
  lz4Decompress(input: Uint8Array, out: Uint8Array): number;
}

interface Lz4Napi {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Buffer): Buffer;
}

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function loadKernels(): Kernels {
  const require = createRequire(import.meta.url);
  const lz4 = require('lz4-napi') as Lz4Napi;
  return {
    hashName: 'node',
    lz4Name: 'lz4-napi',
    sha256(input, out) {
      const d = createHash('sha256').update(input).digest();
      out.set(d);
    },
    lz4Compress(input, out) {
      const c = lz4.compressSync(asBuffer(input));
      if (c.length > out.length) return 0;
      out.set(c);
      return c.length;
    },
    lz4Decompress(input, out) {
      let d: Buffer;
      try {
        d = lz4.uncompressSync(asBuffer(input));
      } catch {
        return -1;
      }
      if (d.length > out.length) return -1;
      out.set(d);
      return d.length;
    },
  };
}
