// Loader for the optional native addon (native/*.c, built at install time by
// scripts/build-native.mjs). Loading never throws: a missing or broken build
// just means the portable back ends are used, and the reason is returned.
import { createRequire } from 'node:module';

/** Anything the batch calls accept as the byte buffer they work in. */
export type NativeBuffer = SharedArrayBuffer | ArrayBuffer | ArrayBufferView;

export type Sha256ImplName = 'sha-ni' | 'armv8-ce' | 'portable';

/** Negative results of lz4DecompressBatch (0 and up is the decompressed length). */
export const Lz4DecompressCode = {
  /** The 4-byte raw size prefix is over dstCapacity: nothing was written. */
  SizeTooLarge: -1,
  /** The block is malformed (or shorter than its prefix). */
  Malformed: -2,
  /** The block decoded to a length other than its prefix says. */
  LengthMismatch: -3,
} as const;

export interface NativeFeatures {
  cpu: { arch: string; sha: boolean; sse41: boolean; ssse3: boolean };
  /** The implementation in use now. */
  sha256Impl: Sha256ImplName;
  /** Implementations usable on this CPU, best first. */
  sha256Impls: Sha256ImplName[];
  lz4: {
    available: boolean;
    /** File given to dlopen (or "none"). */
    library: string;
    /** LZ4_versionString(), when available. */
    version?: string;
    versionNumber?: number;
    /** Why not available (dlopen's error text), when not. */
    error?: string;
  };
}

// Plain functions (property types, not methods): the addon's exports use no `this`.
export interface NativeAddon {
  /**
   * Hashes many ranges of `buffer` in one call. `jobs` holds triples
   * [srcOffset, srcLength, dstOffset]; each 32-byte digest is written at
   * dstOffset. Every range is checked first: a bad one throws a RangeError
   * naming the job index and nothing is written.
   */
  sha256Batch: (buffer: NativeBuffer, jobs: Float64Array) => void;
  /**
   * Reads each chunk from file descriptor `fd` at `positions[i]` into the
   * buffer and hashes it while reading, a cache-sized piece at a time. `jobs`
   * as for sha256Batch ([chunkOffset, length, digestOffset]); results[i] is
   * the length when complete, the bytes read when the file ended early (no
   * digest written), or -errno.
   */
  readSha256Batch: (fd: number, buffer: NativeBuffer, jobs: Float64Array, positions: Float64Array, results: Int32Array) => void;
  /**
   * `jobs` holds quadruples [srcOffset, srcLength, dstOffset, dstCapacity];
   * writes the 4-byte LE raw size then the LZ4 block (lz4_flex
   * compress_prepend_size format). results[i] = bytes written, or 0 if they
   * did not fit. Throws (code E_BACKEND_UNAVAILABLE) without liblz4.
   */
  lz4CompressBatch: (buffer: NativeBuffer, jobs: Float64Array, results: Int32Array) => void;
  /**
   * `jobs` as for compression, the source starting with the raw size prefix.
   * results[i] = decompressed length, or a Lz4DecompressCode.
   */
  lz4DecompressBatch: (buffer: NativeBuffer, jobs: Float64Array, results: Int32Array) => void;
  /** One digest of all of `data`'s bytes. */
  sha256: (data: NativeBuffer) => Buffer;
  features: () => NativeFeatures;
  /** Pins an implementation process-wide ('auto' = best); for tests and benchmarks. */
  setSha256Impl: (impl: Sha256ImplName | 'auto') => Sha256ImplName;
  /** Asks for transparent huge pages under the buffer's whole 2 MiB pages; the bytes advised (0: none). */
  adviseHugePages?: (buffer: NativeBuffer) => number;
}

export interface NativeUnavailable {
  error: string;
}

/** Relative to dist/engine/backends/, where this file is compiled to. */
const ADDON_PATH = '../../../build/Release/hivestream_native.node';
const METHODS = [
  'sha256Batch',
  'readSha256Batch',
  'lz4CompressBatch',
  'lz4DecompressBatch',
  'sha256',
  'features',
  'setSha256Impl',
] as const satisfies readonly (keyof NativeAddon)[];

function isNativeAddon(value: unknown): value is NativeAddon {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return METHODS.every((name) => typeof record[name] === 'function');
}

let cached: NativeAddon | NativeUnavailable | undefined;

/**
 * The native addon, or why it cannot be used. `HIVESTREAM_NATIVE=0` refuses
 * it (to exercise the portable back ends). The result is cached.
 */
export function loadNative(): NativeAddon | NativeUnavailable {
  cached ??= load();
  return cached;
}

function load(): NativeAddon | NativeUnavailable {
  if (process.env.HIVESTREAM_NATIVE === '0') return { error: 'disabled by HIVESTREAM_NATIVE=0' };
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { error: `cannot load ${ADDON_PATH.slice('../../../'.length)}: ${message}` };
  }
  if (!isNativeAddon(loaded)) return { error: 'hivestream_native does not export the expected functions' };
  return loaded;
}

/**
 * Asks the kernel to back a fresh ring with huge pages, so that its first
 * use takes a few faults instead of thousands (native/memory.c). Returns the
 * bytes advised: 0 without the addon, off Linux, or with
 * HIVESTREAM_HUGE_PAGES=0.
 */
export function adviseHugePages(bytes: Uint8Array): number {
  if (process.env.HIVESTREAM_HUGE_PAGES === '0') return 0;
  const native = loadNative();
  return isNativeAvailable(native) && native.adviseHugePages !== undefined ? native.adviseHugePages(bytes) : 0;
}

export function isNativeAvailable(result: NativeAddon | NativeUnavailable): result is NativeAddon {
  return !('error' in result);
}
