// Loader for the optional native addon (native/*.c): a build from source, or
// the prebuild shipped in the package (native-files.ts says which files, in
// which order). Loading never throws: a missing or broken addon just means
// the portable back ends are used, and the reason is returned.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packageFile, packageRoot } from '../../util/package-root.js';
import { addonCandidates, currentRuntime, listPrebuilds, prebuildFolder, type AddonOrigin } from './native-files.js';

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

/** Where the addon in use came from. */
export interface NativeOrigin {
  origin: AddonOrigin;
  /** Relative to the package root. */
  file: string;
}

/** The package root. */
const ROOT = packageRoot();
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
let origin: NativeOrigin | undefined;

/**
 * The native addon, or why it cannot be used. `HIVESTREAM_NATIVE=0` refuses
 * it (to exercise the portable back ends); `=source` or `=prebuild` takes
 * only that kind. The result is cached.
 */
export function loadNative(): NativeAddon | NativeUnavailable {
  cached ??= load();
  return cached;
}

/** Which file the loaded addon came from (undefined when none loaded). */
export function nativeOrigin(): NativeOrigin | undefined {
  loadNative();
  return origin;
}

function load(): NativeAddon | NativeUnavailable {
  const only = process.env.HIVESTREAM_NATIVE;
  if (only === '0') return { error: 'disabled by HIVESTREAM_NATIVE=0' };
  const here = { platform: process.platform, arch: process.arch };
  const { files: all, passedOver } = addonCandidates(here, listPrebuilds(ROOT, here) ?? [], currentRuntime);
  // HIVESTREAM_NATIVE=source or =prebuild: only that kind (the install script checks the prebuild alone).
  const files = only === 'source' || only === 'prebuild' ? all.filter((f) => f.origin === only) : all;
  const problems: string[] = [];
  const requireAddon = createRequire(import.meta.url);
  for (const candidate of files) {
    const path = packageFile(candidate.file);
    if (!existsSync(path)) {
      if (candidate.origin === 'source') problems.push(`not built from source (no ${candidate.file})`);
      continue;
    }
    let loaded: unknown;
    try {
      loaded = requireAddon(path);
    } catch (err) {
      const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      problems.push(`${candidate.file} does not load: ${message}`);
      continue;
    }
    if (!isNativeAddon(loaded)) {
      problems.push(`${candidate.file} does not export the expected functions`);
      continue;
    }
    origin = candidate;
    return loaded;
  }
  if (!files.some((f) => f.origin === 'prebuild') && only !== 'source') problems.push(`no prebuild for ${prebuildFolder(here)}${passedOver.length > 0 ? ` (${passedOver.join('; ')})` : ''}`);
  return { error: problems.join('; ') };
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
