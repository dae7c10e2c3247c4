// unpack and verify: container in, raw bytes out (or nothing, for verify).
// The main thread finds block boundaries; workers decode, decompress and
// verify each chunk's SHA-256; the writer checks the chain (sequence,
// offsets, lengths, final flag, root digest, header digest) in order.
import { createHash } from 'node:crypto';
import { ChecksumMismatchError, FormatError, TruncatedStreamError } from '../errors.js';
import type { ContainerHeader, HeaderLimits } from '../format/header.js';
import type { Input } from '../io/source.js';
import type { Sink } from '../io/sink.js';
import { F, HEADER_DIGEST_AT, ROOT_AT } from './layout.js';
import { Job, type JobConfig } from './job.js';
import type { ResilienceStats } from './guard.js';
import { readRing } from './plan.js';
import { readContainerHeader } from './container-input.js';
import { readBlocks } from './block-reader.js';

export interface UnpackReport {
  operation: 'unpack' | 'verify';
  chunks: number;
  /** Raw bytes restored. */
  bytes: number;
  /** Container bytes read. */
  storedBytes: number;
  compressedChunks: number;
  rootDigest: string;
  streamId: string;
  chunkSize: number;
  source: string | undefined;
  workers: number;
  /** Back ends that computed SHA-256 and LZ4. */
  hashBackend: string;
  lz4Backend: string;
  /** Retries, crashes, timeouts and breaker activity during the run. */
  resilience: ResilienceStats;
  durationMs: number;
}

export interface UnpackConfig extends Omit<JobConfig, 'layout' | 'inputPath'> {
  limits: HeaderLimits;
  ringSlots: number | undefined;
}

const WRITE_BATCH = 64;

export async function runUnpack(input: Input, sink: Sink | undefined, cfg: UnpackConfig): Promise<Omit<UnpackReport, 'durationMs'>> {
  const header = await readContainerHeader(input, cfg.limits);
  const { chunkSize } = header;
  const { plan, layout, recordLimit } = readRing(chunkSize, cfg.workers, cfg.ringSlots);
  const job = new Job({ ...cfg, inputPath: input.path, layout });
  const ring = job.ring;
  const totalBytes = input.kind === 'file' ? input.size : undefined;
  let total = -1;
  let containerEnd = header.length;
  let bytesOut = 0;
  let compressedChunks = 0;
  let root = '';

  const reader = async (): Promise<void> => {
    const read = await readBlocks(input, header, job, plan.batch, recordLimit, (used, first) => {
      job.submit({ op: 'unpack', slots: used, fd: input.kind === 'file' ? input.fd : -1, chunkSize, sync: header.sync }, () => {
        used.forEach((slot, i) => job.window.put(first + i, slot));
      });
    });
    if (read !== undefined) {
      total = read.total;
      containerEnd = read.end;
      job.window.wake();
    }
  };

  const writer = async (): Promise<void> => {
    const rootHash = createHash('sha256');
    let expectedOffset = 0;
    let finalSeen = false;
    while (!job.failed) {
      const ready = job.window.take(WRITE_BATCH, Number.MAX_SAFE_INTEGER);
      if (ready.length === 0) {
        if (total >= 0 && job.window.next >= total) {
          if (!finalSeen) throw new TruncatedStreamError(containerEnd, 'the final chunk is missing', total);
          return;
        }
        await job.window.wait();
        continue;
      }
      const iov: Uint8Array[] = [];
      for (const { seq, slot } of ready) {
        const at = ring.get(slot, F.blockOffset);
        if (finalSeen) throw new FormatError('data after the final chunk', { sequence: seq, offset: at });
        const offset = ring.get(slot, F.offset);
        const length = ring.get(slot, F.length);
        const final = ring.get(slot, F.final) === 1;
        if (offset !== expectedOffset) {
          throw new FormatError(`offset ${offset} does not follow the previous chunks (expected ${expectedOffset})`, { sequence: seq, offset: at, field: 'offset' });
        }
        if (!final && length !== chunkSize) {
          throw new FormatError(`non-final chunk of ${length} bytes in a container of ${chunkSize}-byte chunks`, { sequence: seq, offset: at, field: 'length' });
        }
        rootHash.update(ring.control32(slot));
        if (final) {
          finalSeen = true;
          root = checkFinal(rootHash.digest(), ring.control32(slot, ROOT_AT), ring, slot, header, seq, at);
        }
        expectedOffset += length;
        bytesOut += length;
        if (ring.get(slot, F.codec) === 1) compressedChunks++;
        if (sink !== undefined && length > 0) {
          const start = ring.get(slot, F.dataStart);
          iov.push(ring.bytes.subarray(start, start + length));
        }
      }
      if (sink !== undefined && iov.length > 0) await sink.write(iov);
      for (const { slot } of ready) ring.release(slot);
      job.progress({ bytes: bytesOut, storedBytes: ring.get(ready[ready.length - 1]?.slot ?? 0, F.blockOffset), chunks: job.window.next, totalBytes });
    }
  };

  await job.finish([reader(), writer()]);
  job.progress({ bytes: bytesOut, storedBytes: containerEnd, chunks: total, totalBytes }, true);
  return {
    operation: sink === undefined ? 'verify' : 'unpack',
    ...readReport(header, cfg, job, { chunks: total, bytes: bytesOut, storedBytes: containerEnd, compressedChunks, rootDigest: root }),
  };
}

/** What a container read measured, as a report; shared by unpack, verify and the chunk reader. */
export function readReport(
  header: ContainerHeader,
  cfg: Pick<JobConfig, 'workers' | 'backends'>,
  job: Job,
  figures: Pick<UnpackReport, 'chunks' | 'bytes' | 'storedBytes' | 'compressedChunks' | 'rootDigest'>,
): Omit<UnpackReport, 'operation' | 'durationMs'> {
  return {
    ...figures,
    streamId: header.streamId,
    chunkSize: header.chunkSize,
    source: header.source,
    workers: cfg.workers,
    hashBackend: cfg.backends.hash,
    lz4Backend: cfg.backends.lz4,
    resilience: job.resilienceStats,
  };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Checks the final record's root digest and header digest; returns the root, hex. */
function checkFinal(computed: Buffer, stored: Uint8Array, ring: Job['ring'], slot: number, header: ContainerHeader, seq: number, at: number): string {
  const rootHex = computed.toString('hex');
  if (rootHex !== hex(stored)) throw new ChecksumMismatchError(-1, at, hex(stored), rootHex);
  if (ring.get(slot, F.hasHeaderDigest) !== 1) {
    throw new FormatError('final chunk lacks the header digest', { sequence: seq, offset: at, field: 'metadata' });
  }
  if (hex(ring.control32(slot, HEADER_DIGEST_AT)) !== header.digestHex) {
    throw new FormatError('container header was altered: its SHA-256 differs from the one in the final chunk', { sequence: seq, offset: 0, field: 'header' });
  }
  return rootHex;
}
