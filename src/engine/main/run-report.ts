// What every run reports, whichever way it goes (pack, unpack, verify,
// readChunks): its figures, the container's identity, and how it ran.
import type { ResilienceStats } from './task-guard.js';

export interface RunReport {
  chunks: number;
  /** Raw bytes read (pack) or restored (reads). */
  bytes: number;
  /** Container bytes written (pack) or read (reads). */
  storedBytes: number;
  /** Chunks stored LZ4-compressed. */
  compressedChunks: number;
  rootDigest: string;
  streamId: string;
  chunkSize: number;
  /** The run's share of the engine's threads. */
  workers: number;
  /** Back ends that computed SHA-256 and LZ4. */
  hashBackend: string;
  lz4Backend: string;
  /** Retries, crashes, timeouts and breaker activity of the tasks that served the run. */
  resilience: ResilienceStats;
  /** Fingerprint of the key that signed the container, when it is signed (reads checked the signature). */
  signer?: string;
}
