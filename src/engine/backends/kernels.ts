// The compute kernels a worker runs on ring memory, one call per batch of
// slots, each given a job table (job-table.ts). This is the one interface
// every SHA-256 and LZ4 back end has; every back end produces the same
// digests and the same readable format.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { BackendUnavailableError } from '../../errors.js';
import { isNativeAvailable, loadNative } from './native.js';
import { HASH_JOB_WIDTH, LZ4_JOB_WIDTH, hashJobViews, lz4Job, rowsOf } from './job-table.js';

export const HASH_BACKENDS = ['native', 'node', 'wasm', 'wasm-simd'] as const;
export const LZ4_BACKENDS = ['native', 'lz4-napi'] as const;
export type HashBackendName = (typeof HASH_BACKENDS)[number];
export type Lz4BackendName = (typeof LZ4_BACKENDS)[number];

export interface HashKernel {
  readonly name: HashBackendName;
  /**
   * Writes SHA-256 of each row's source range at its destination (32 bytes).
   * Sources are only read; a destination must not overlap any source of the
   * same call. A row outside the buffer throws a RangeError naming it.
   */
  hash(ring: Uint8Array, jobs: Float64Array, count: number): void;
  /**
   * Optional: reads each job's chunk from `fd` at positions[i] and hashes it
   * while reading (one pass through the cache). results[i] as readSha256Batch.
   */
  readAndHash?(fd: number, ring: Uint8Array, jobs: Float64Array, positions: Float64Array, count: number, results: Int32Array): void;
}

export interface Lz4Kernel {
  readonly name: Lz4BackendName;
  /** results[i] = bytes written (prefix included), or 0 when it did not fit. */
  compress(ring: Uint8Array, jobs: Float64Array, count: number, results: Int32Array): void;
  /** results[i] = bytes restored, or negative when the data is corrupt or too large. */
  decompress(ring: Uint8Array, jobs: Float64Array, count: number, results: Int32Array): void;
}

export function nodeHashKernel(): HashKernel {
  return {
    name: 'node',
    hash(ring, jobs, count) {
      const { inputs, outputs } = hashJobViews(ring, jobs, count);
      for (let i = 0; i < count; i++) {
        const out = outputs[i];
        const input = inputs[i];
        if (out !== undefined && input !== undefined) out.set(createHash('sha256').update(input).digest());
      }
    },
  };
}

export function nativeHashKernel(): HashKernel {
  const native = loadNative();
  if (!isNativeAvailable(native)) throw new BackendUnavailableError(`native hashing unavailable: ${native.error}`);
  return {
    name: 'native',
    hash: (ring, jobs, count) => native.sha256Batch(ring, rowsOf(jobs, count, HASH_JOB_WIDTH)),
    readAndHash: (fd, ring, jobs, positions, count, results) => native.readSha256Batch(fd, ring, rowsOf(jobs, count, HASH_JOB_WIDTH), positions.subarray(0, count), results),
  };
}

export function nativeLz4Kernel(): Lz4Kernel {
  const native = loadNative();
  if (!isNativeAvailable(native)) throw new BackendUnavailableError(`native LZ4 unavailable: ${native.error}`);
  const lz4 = native.features().lz4;
  if (!lz4.available) throw new BackendUnavailableError(`native LZ4 unavailable: liblz4 not loaded (${lz4.error ?? 'unknown reason'})`);
  return {
    name: 'native',
    compress: (ring, jobs, count, results) => native.lz4CompressBatch(ring, rowsOf(jobs, count, LZ4_JOB_WIDTH), results),
    decompress: (ring, jobs, count, results) => native.lz4DecompressBatch(ring, rowsOf(jobs, count, LZ4_JOB_WIDTH), results),
  };
}

interface Lz4Napi {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Buffer): Buffer;
}

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function lz4NapiKernel(): Lz4Kernel {
  let lz4: Lz4Napi;
  try {
    lz4 = createRequire(import.meta.url)('lz4-napi') as Lz4Napi;
  } catch (cause) {
    throw new BackendUnavailableError('lz4-napi cannot be loaded', { cause });
  }
  const each = (jobs: Float64Array, count: number, fn: (src: number, len: number, dst: number, cap: number) => number, results: Int32Array): void => {
    for (let i = 0; i < count; i++) {
      const { src, length, dst, capacity } = lz4Job(jobs, i);
      results[i] = fn(src, length, dst, capacity);
    }
  };
  return {
    name: 'lz4-napi',
    compress(ring, jobs, count, results) {
      each(jobs, count, (src, len, dst, cap) => {
        const c = lz4.compressSync(asBuffer(ring.subarray(src, src + len)));
        if (c.length > cap) return 0;
        ring.set(c, dst);
        return c.length;
      }, results);
    },
    decompress(ring, jobs, count, results) {
      each(jobs, count, (src, len, dst, cap) => {
        const input = ring.subarray(src, src + len);
        if (len < 4) return -2;
        const size = ((input[0] ?? 0) | ((input[1] ?? 0) << 8) | ((input[2] ?? 0) << 16)) + (input[3] ?? 0) * 0x1000000;
        // Checked before lz4-napi allocates what the prefix claims.
        if (size > cap) return -1;
        let d: Buffer;
        try {
          d = lz4.uncompressSync(asBuffer(input));
        } catch {
          return -2;
        }
        if (d.length !== size) return -3;
        ring.set(d, dst);
        return d.length;
      }, results);
    },
  };
}

export async function createHashKernel(name: HashBackendName): Promise<HashKernel> {
  switch (name) {
    case 'native':
      return nativeHashKernel();
    case 'node':
      return nodeHashKernel();
    case 'wasm':
    case 'wasm-simd':
      return wasmHashKernel(name);
  }
}

export function createLz4Kernel(name: Lz4BackendName): Lz4Kernel {
  return name === 'native' ? nativeLz4Kernel() : lz4NapiKernel();
}

/** The WebAssembly back ends, loaded on demand: most runs use native or node:crypto. */
async function wasmHashKernel(name: 'wasm' | 'wasm-simd'): Promise<HashKernel> {
  return name === 'wasm' ? (await import('./hash-wasm.js')).createHashWasmKernel() : (await import('./wasm-simd.js')).createWasmSimdKernel();
}
