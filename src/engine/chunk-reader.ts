// Verified chunks, one by one, in order: the unpack machinery (ring, pool,
// workers decoding and hashing in parallel) with the writer replaced by an
// async generator, so a caller sees chunk boundaries. With corrupt: 'report'
// a chunk whose block is intact but whose record or data is bad is handed
// over as a `corrupt` event and reading goes on: record readers use this to
// name (or skip) what the chunk held. Kept apart from unpack.ts on purpose.
import { createHash } from 'node:crypto';
import { AbortError, ChecksumMismatchError, FormatError, HiveError, TruncatedStreamError } from '../errors.js';
import type { ContainerHeader, HeaderLimits } from '../format/header.js';
import type { Input } from '../io/source.js';
import { F, HEADER_DIGEST_AT, ROOT_AT } from './layout.js';
import { Job, type JobConfig } from './job.js';
import { readRing } from './plan.js';
import { readContainerHeader } from './container-input.js';
import { readBlocks } from './block-reader.js';
import { readReport, type UnpackReport } from './unpack.js';
import type { UnpackTask } from './tasks.js';

/** The container header, as a chunk reader hands it over first. */
export interface ContainerInfo {
  chunkSize: number;
  streamId: string;
  source: string | undefined;
  contentType: string | undefined;
  contentMeta: string | undefined;
  /** Every header key as text (values that are not UTF-8 as hex). */
  metadata: Record<string, string>;
}

export type ChunkEvent =
  | { kind: 'header'; header: ContainerInfo }
  /** `bytes` is a view into the ring: valid until the iterator is resumed. */
  | { kind: 'chunk'; sequence: number; offset: number; bytes: Uint8Array; final: boolean }
  /** The chunk at `sequence` (raw stream `offset`) failed its checks; `error` says how. */
  | { kind: 'corrupt'; sequence: number; offset: number; error: HiveError };

export interface ChunkReadReport extends Omit<UnpackReport, 'operation'> {
  operation: 'read-chunks';
  corruptChunks: number;
  /** True when the root digest and the header digest were checked and matched. */
  verified: boolean;
}

export interface ChunkReaderConfig extends Omit<JobConfig, 'layout' | 'inputPath'> {
  limits: HeaderLimits;
  ringSlots: number | undefined;
  corrupt: 'throw' | 'report';
}

/** Errors that belong to one chunk whose block boundaries are still trustworthy. */
function isChunkFault(err: unknown): err is ChecksumMismatchError | FormatError {
  if (err instanceof ChecksumMismatchError) return err.sequence >= 0;
  // A sync marker mismatch means the block size itself may be wrong: what
  // follows cannot be trusted, so it ends the run.
  return err instanceof FormatError && err.sequence !== undefined && err.field !== undefined && err.field !== 'sync';
}

const EARLY_CLOSE = new AbortError('chunk reader closed before the end');
const text = new TextDecoder('utf-8', { fatal: true });

function info(h: ContainerHeader): ContainerInfo {
  const metadata: Record<string, string> = {};
  for (const [k, v] of h.metadata) {
    try {
      metadata[k] = text.decode(v);
    } catch {
      metadata[k] = Buffer.from(v).toString('hex');
    }
  }
  return { chunkSize: h.chunkSize, streamId: h.streamId, source: h.source, contentType: h.contentType, contentMeta: h.contentMeta, metadata };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export async function* runChunkReader(input: Input, cfg: ChunkReaderConfig): AsyncGenerator<ChunkEvent, Omit<ChunkReadReport, 'durationMs'>> {
  const header = await readContainerHeader(input, cfg.limits);
  yield { kind: 'header', header: info(header) };
  const { chunkSize } = header;
  const { plan, layout, recordLimit } = readRing(chunkSize, cfg.workers, cfg.ringSlots);
  const job = new Job({ ...cfg, inputPath: input.path, layout });
  const ring = job.ring;
  const report = cfg.corrupt === 'report';
  /** Chunks that failed, by sequence, until the generator reaches them. */
  const faults = new Map<number, ChecksumMismatchError | FormatError>();
  let total = -1;
  let containerEnd = header.length;
  /** Set when the consumer left early: no new tasks, and those running may finish. */
  let closing = false;
  const running = new Set<Promise<void>>();

  // A batch with a bad chunk is run again chunk by chunk, so the good ones
  // in it still get through and the bad one is known exactly.
  const submit = (slots: number[], first: number): void => {
    if (job.failed || closing) return;
    const task: UnpackTask = { op: 'unpack', slots, fd: input.kind === 'file' ? input.fd : -1, chunkSize, sync: header.sync };
    const p = job.outcome(task).then((err) => {
      if (err === undefined) {
        slots.forEach((slot, i) => job.window.put(first + i, slot));
      } else if (!report || !isChunkFault(err)) {
        job.fail(err);
      } else if (slots.length > 1) {
        slots.forEach((slot, i) => submit([slot], first + i));
      } else {
        faults.set(first, err);
        job.window.put(first, slots[0] ?? -1);
      }
    });
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  const reader = async (): Promise<void> => {
    const read = await readBlocks(input, header, job, plan.batch, recordLimit, submit);
    if (read !== undefined) {
      total = read.total;
      containerEnd = read.end;
      job.window.wake();
    }
  };

  const loop = reader();
  const rootHash = createHash('sha256');
  let expectedOffset = 0;
  let finalSeen = false;
  let corruptChunks = 0;
  let verified = true;
  let bytesOut = 0;
  let compressedChunks = 0;
  let root = '';
  let lastUndecoded = false;
  // True until the loop ends by itself or by an error: the consumer left early.
  let left = true;
  try {
    while (!job.failed) {
      const [next] = job.window.take(1, Number.MAX_SAFE_INTEGER);
      if (next === undefined) {
        if (total >= 0 && job.window.next >= total) break;
        await job.window.wait();
        continue;
      }
      const { seq, slot } = next;
      const at = ring.get(slot, F.blockOffset);
      if (finalSeen) throw new FormatError('data after the final chunk', { sequence: seq, offset: at });
      const fault = faults.get(seq);
      faults.delete(seq);
      // A record that did not decode leaves the slot's fields stale: assume a
      // full chunk, and that it is final only when nothing follows it.
      const decoded = fault === undefined || fault instanceof ChecksumMismatchError;
      lastUndecoded = !decoded;
      const offset = decoded ? ring.get(slot, F.offset) : expectedOffset;
      const length = decoded ? ring.get(slot, F.length) : chunkSize;
      const final = decoded ? ring.get(slot, F.final) === 1 : total >= 0 && seq === total - 1;
      if (offset !== expectedOffset) {
        throw new FormatError(`offset ${offset} does not follow the previous chunks (expected ${expectedOffset})`, { sequence: seq, offset: at, field: 'offset' });
      }
      if (!final && length !== chunkSize) {
        throw new FormatError(`non-final chunk of ${length} bytes in a container of ${chunkSize}-byte chunks`, { sequence: seq, offset: at, field: 'length' });
      }
      // The root covers the stored digests: a chunk whose data alone is bad still lets it be checked.
      if (fault instanceof ChecksumMismatchError) rootHash.update(Buffer.from(fault.expected, 'hex'));
      else if (fault === undefined) rootHash.update(ring.control32(slot));
      else verified = false;
      if (final) {
        finalSeen = true;
        if (decoded) {
          const computed = rootHash.digest('hex');
          const stored = hex(ring.control32(slot, ROOT_AT));
          if (computed !== stored && corruptChunks === 0 && fault === undefined) throw new ChecksumMismatchError(-1, at, stored, computed);
          if (computed !== stored) verified = false;
          if (ring.get(slot, F.hasHeaderDigest) !== 1) throw new FormatError('final chunk lacks the header digest', { sequence: seq, offset: at, field: 'metadata' });
          if (hex(ring.control32(slot, HEADER_DIGEST_AT)) !== header.digestHex) {
            throw new FormatError('container header was altered: its SHA-256 differs from the one in the final chunk', { sequence: seq, offset: 0, field: 'header' });
          }
          root = stored;
        }
      }
      expectedOffset += length;
      if (fault !== undefined) {
        corruptChunks++;
        ring.release(slot);
        yield { kind: 'corrupt', sequence: seq, offset, error: fault };
      } else {
        bytesOut += length;
        if (ring.get(slot, F.codec) === 1) compressedChunks++;
        const start = ring.get(slot, F.dataStart);
        try {
          yield { kind: 'chunk', sequence: seq, offset, bytes: ring.bytes.subarray(start, start + length), final };
        } finally {
          ring.release(slot);
        }
      }
      job.progress({ bytes: bytesOut, storedBytes: at, chunks: job.window.next, totalBytes: input.kind === 'file' ? input.size : undefined });
    }
    // An undecodable last chunk may have been the final one: its corrupt
    // event said so already, and the run is reported as not verified.
    if (!job.failed && !finalSeen && !lastUndecoded) throw new TruncatedStreamError(containerEnd, 'the final chunk is missing', total);
    if (!finalSeen) verified = false;
    left = false;
  } catch (err) {
    left = false;
    job.fail(err);
  } finally {
    if (left) {
      // Let running tasks finish rather than abort them: an aborted task
      // costs its worker thread (Piscina terminates it). Then stop the run.
      closing = true;
      while (running.size > 0 && !job.failed) await Promise.allSettled([...running]);
      job.fail(EARLY_CLOSE);
      await job.finish([loop]).catch(() => undefined);
    }
  }
  await job.finish([loop]);
  job.progress({ bytes: bytesOut, storedBytes: containerEnd, chunks: total, totalBytes: input.kind === 'file' ? input.size : undefined }, true);
  return {
    operation: 'read-chunks',
    ...readReport(header, cfg, job, { chunks: total, bytes: bytesOut, storedBytes: containerEnd, compressedChunks, rootDigest: root }),
    corruptChunks,
    verified: verified && root !== '',
  };
}
