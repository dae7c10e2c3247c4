// Option types, defaults and validation shared by the API and the CLI.
import { availableParallelism } from 'node:os';
import { ValidationError } from './errors.js';
import type { ResilienceOptions } from './engine/main/task-guard.js';
import type { HashBackendName, Lz4BackendName } from './engine/backends/kernels.js';
import type { Engine } from './engine/main/engine.js';
import type { PublicKeyInput, SigningKeyInput } from './format/signature.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export const MIN_CHUNK_SIZE = 4 * KiB;
export const MAX_CHUNK_SIZE = 64 * MiB;
export const DEFAULT_CHUNK_SIZE = MiB;
export const DEFAULT_MAX_HEADER_BYTES = MiB;

export type Compression = 'none' | 'lz4';

export interface Progress {
  /** Raw bytes processed so far. */
  bytes: number;
  /** Container bytes written (pack) or read (unpack, verify) so far. */
  storedBytes: number;
  chunks: number;
  /** Total raw (pack) or container (unpack) bytes when known in advance. */
  totalBytes: number | undefined;
  elapsedMs: number;
}

export interface CommonOptions {
  /**
   * The run's share of the engine's worker threads: its tasks in flight at
   * most (default: all of them). The thread count itself is the engine's
   * (configureEngine({ threads })).
   */
  workers?: number;
  /** Cancels the run; the output is removed. */
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` with running totals. */
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
  /** Ring slots of this run (default: sized from workers, chunk size and input size). */
  ringSlots?: number;
  /** The engine to run on (default: the process-wide one, getEngine()). */
  engine?: Engine;
  /** SHA-256 implementation: 'auto' (default: the fastest present, measured), 'native', 'node', 'wasm', 'wasm-simd'. */
  hashBackend?: HashBackendName | 'auto';
  /** LZ4 implementation: 'auto' (default), 'native', 'lz4-napi'. */
  lz4Backend?: Lz4BackendName | 'auto';
  /**
   * Circuit breaker, retry, task deadline, patience and fault injection for
   * this run's tasks (default: the engine's). A run with its own options
   * gets its own breaker, and its tasks carry no other run's chunks.
   */
  resilience?: ResilienceOptions;
  /**
   * Opt-in timing for benchmarks: called as each worker task succeeds, with
   * its latency in ms from hand-off to the pool to completion (queueing in
   * the pool, retries and the work) and the number of chunks it carried.
   */
  onTaskTiming?: (ms: number, chunks: number) => void;
}

/**
 * Where chunks end: 'none' (default: every chunk full but the last),
 * 'newline' (just after the last newline at or before the chunk size, so no
 * line is split), or a delimiter byte (0-255, or hex text such as "0x1e").
 */
export type Boundary = 'none' | 'newline' | number | `0x${string}`;

export interface PackOptions extends CommonOptions {
  /** Chunk size in bytes or as text ("64KiB", "1MiB"); 4 KiB to 64 MiB, default 1 MiB. */
  chunkSize?: number | string;
  /**
   * Record-aligned chunks (recorded in the header; unpack restores the same
   * bytes): each chunk ends with the delimiter, a record longer than the
   * chunk size is FrameTooLargeError. Default 'none'.
   */
  boundary?: Boundary;
  compression?: Compression;
  /** Name recorded in the header's hivestream.source (default: the input file's base name). */
  sourceName?: string;
  /** Optional header hivestream.content_type: what the raw stream holds (e.g. "tensor/1"). */
  contentType?: string;
  /** Optional header hivestream.content_meta: text (JSON by convention) describing the content. */
  contentMeta?: string;
  /** fsync the output before renaming it into place, and its folder after (so the rename survives a crash). */
  durable?: boolean;
  /** Never write outside this folder: a link at the output is replaced, not followed (as UnpackOptions.outputWithin). */
  outputWithin?: string;
  /** Sign the container with this Ed25519 private key (a KeyObject or PEM text; docs/SECURITY.md). */
  signingKey?: SigningKeyInput;
}

export interface ReadOptions extends CommonOptions {
  /** Largest chunk size accepted from a container header (default 64 MiB). */
  maxChunkSize?: number;
  /** Largest container header accepted (default 1 MiB). */
  maxHeaderBytes?: number;
  /**
   * Require a valid signature by this Ed25519 public key (a KeyObject, PEM
   * text or the raw 32 bytes); SignatureError when it is missing, invalid or
   * made by another key. Without it a signature, if present, is still checked.
   */
  publicKey?: PublicKeyInput;
}

export interface UnpackOptions extends ReadOptions {
  durable?: boolean;
  /**
   * Never write outside this folder (an absolute real path): a symbolic link
   * at the output is replaced rather than followed, and where the temporary
   * file was created and the folder it is renamed in are checked against it.
   * Convert confines every output to its output folder this way.
   */
  outputWithin?: string;
}

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: KiB, kb: 1000, kib: KiB,
  m: MiB, mb: 1000 * 1000, mib: MiB,
  g: GiB, gb: 1000 * 1000 * 1000, gib: GiB,
};

/** Parses "65536", "64KiB", "1MiB", "1.5m", "2GB" into bytes. */
export function parseSize(text: string, field = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = UNITS[(m?.[2] ?? '?').toLowerCase()];
  if (m === null || unit === undefined) {
    throw new ValidationError(field, `${JSON.stringify(text)} is not a size (examples: 65536, 64KiB, 1MiB)`);
  }
  const value = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(value)) throw new ValidationError(field, `${text} is too large`);
  return value;
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i] ?? ''}`;
}

export function resolveChunkSize(value: number | string | undefined): number {
  const size = value === undefined ? DEFAULT_CHUNK_SIZE : typeof value === 'string' ? parseSize(value, 'chunkSize') : value;
  if (!Number.isSafeInteger(size) || size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) {
    throw new ValidationError('chunkSize', `${String(value)} is outside ${formatSize(MIN_CHUNK_SIZE)} to ${formatSize(MAX_CHUNK_SIZE)}`);
  }
  return size;
}

let parallelism: number | undefined;

export function resolveWorkers(value: number | undefined): number {
  // availableParallelism() asks the kernel each time: once is enough.
  const n = value ?? (parallelism ??= availableParallelism());
  if (!Number.isSafeInteger(n) || n < 1 || n > 256) {
    throw new ValidationError('workers', `${String(value)} is not a whole number from 1 to 256`);
  }
  return n;
}

export function resolveCompression(value: string | undefined): Compression {
  if (value === undefined || value === 'none' || value === 'lz4') return value ?? 'none';
  throw new ValidationError('compression', `${JSON.stringify(value)} is not 'none' or 'lz4'`);
}

/** The delimiter byte of a boundary option, or undefined for fixed-size chunks. */
export function resolveBoundary(value: Boundary | undefined): number | undefined {
  if (value === undefined || value === 'none') return undefined;
  if (value === 'newline') return 0x0a;
  const n = typeof value === 'number' ? value : /^(0x[0-9a-f]{1,2}|[0-9]{1,3})$/i.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new ValidationError('boundary', `${JSON.stringify(value)} is not 'none', 'newline' or a byte (0-255, or 0x00-0xff)`);
  return n;
}

export function resolveLimit(value: number | undefined, fallback: number, field: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError(field, `${String(value)} is not a positive whole number`);
  return n;
}

/** Content type: a short "kind/version" token, as written to hivestream.content_type. */
export function resolveContentType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z0-9][a-z0-9.+-]{0,63}\/[a-z0-9][a-z0-9.+-]{0,31}$/.test(value)) {
    throw new ValidationError('contentType', `${JSON.stringify(value.slice(0, 80))} is not a lower-case "kind/version" token`);
  }
  return value;
}

/** Content metadata travels in the header, which readers bound by maxHeaderBytes (default 1 MiB). */
export const MAX_CONTENT_META = 64 * KiB;

export function resolveContentMeta(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_CONTENT_META) throw new ValidationError('contentMeta', `${bytes} bytes, over the limit of ${MAX_CONTENT_META}`);
  return value;
}
