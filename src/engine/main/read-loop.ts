// The read side's one loop, shared by unpack, verify and readChunks: the
// reader (block-reader.ts) assigns blocks to ring slots and workers decode,
// decompress and verify them; this loop takes the chunks back in sequence
// order, puts each through the chain rules (format/chain.ts) and hands
// batches of them to its consumer: unpack writes them, verify drops them,
// readChunks yields them one by one.
//
// With corrupt: 'report', a chunk whose block is intact but whose record or
// data is bad comes out as a `corrupt` item and reading goes on: record
// readers use this to name (or skip) what the chunk held.
//
// With `call` (process on a container), the worker runs the caller's
// function on each chunk right after verifying it, and the chunk comes out
// with what the function returned, once it passed the chain rules too.
import { AbortError, ChecksumMismatchError, FormatError, type HiveError } from '../../errors.js';
import { ChainVerifier } from '../../format/chain.js';
import { CODEC_LZ4 } from '../../format/constants.js';
import type { ContainerHeader, HeaderLimits } from '../../format/header.js';
import type { Input } from '../../io/source.js';
import type { CallSpec, CallValue, UnpackPart } from '../contract/tasks.js';
import { Run, type RunConfig } from './run.js';
import type { ResilienceStats } from './task-guard.js';
import type { RunReport } from './run-report.js';
import { readPlan } from './ring-plan.js';
import { readBlocks } from './block-reader.js';
import { callFailure } from './call-failure.js';
import { finalMetadata } from './final-record.js';
import type { KeyObject } from 'node:crypto';

export type ReadItem =
  /** `bytes` is a view into the ring: valid until the loop is resumed; `value`: what the call returned (with `call`). */
  | { kind: 'chunk'; sequence: number; offset: number; bytes: Uint8Array; final: boolean; value?: CallValue }
  /** The chunk at `sequence` (raw stream `offset`) failed its checks; `error` says how. */
  | { kind: 'corrupt'; sequence: number; offset: number; error: HiveError };

export interface ReadConfig extends Omit<RunConfig, 'inputPath'> {
  limits: HeaderLimits;
  ringSlots: number | undefined;
  corrupt: 'throw' | 'report';
  /** The caller's function, run on each verified chunk (corrupt: 'throw' only). */
  call?: CallSpec | undefined;
  /** Require a signature by this key. */
  publicKey?: KeyObject | undefined;
}

/** What a container read measured. */
export interface ReadFigures {
  chunks: number;
  /** Raw bytes restored. */
  bytes: number;
  /** Container bytes read. */
  storedBytes: number;
  compressedChunks: number;
  rootDigest: string;
  corruptChunks: number;
  /** True when the root digest and the header digest were checked and matched. */
  verified: boolean;
  /** Fingerprint of the key that signed the container (undefined: unsigned). */
  signer: string | undefined;
  resilience: ResilienceStats;
}

/** What every container read reports (unpack, verify, readChunks). */
export interface ContainerReadReport extends RunReport {
  source: string | undefined;
}

export function readReport(header: ContainerHeader, cfg: Pick<RunConfig, 'workers' | 'backends' | 'engine'>, figures: ReadFigures): ContainerReadReport {
  return {
    chunks: figures.chunks,
    bytes: figures.bytes,
    storedBytes: figures.storedBytes,
    compressedChunks: figures.compressedChunks,
    rootDigest: figures.rootDigest,
    streamId: header.streamId,
    chunkSize: header.chunkSize,
    source: header.source,
    workers: Run.workersOf(cfg),
    hashBackend: cfg.backends.hash,
    lz4Backend: cfg.backends.lz4,
    resilience: figures.resilience,
    ...(figures.signer === undefined ? {} : { signer: figures.signer }),
  };
}

/**
 * Hands every batch of a read to `consume` and returns the read's figures.
 * A throw from `consume` is thrown into the read, which stops it, frees its
 * ring and then rethrows it.
 */
export async function eachBatch(reading: AsyncGenerator<ReadItem[], ReadFigures>, consume: (items: ReadItem[]) => Promise<void> | void): Promise<ReadFigures> {
  let step = await reading.next();
  while (step.done !== true) {
    try {
      await consume(step.value);
    } catch (err) {
      step = await reading.throw(err);
      continue;
    }
    step = await reading.next();
  }
  return step.value;
}

/** Closes a read early: its run stops and its ring is freed (the figures are not wanted). */
export async function closeRead(reading: AsyncGenerator<ReadItem[], ReadFigures>): Promise<void> {
  await (reading as AsyncGenerator<ReadItem[], unknown>).return(undefined);
}

/** Chunks per batch handed to the consumer (one writev for unpack). */
const BATCH = 64;

/** Errors that belong to one chunk whose block boundaries are still trustworthy. */
function isChunkFault(err: unknown): err is ChecksumMismatchError | FormatError {
  if (err instanceof ChecksumMismatchError) return err.sequence >= 0;
  // A sync marker mismatch means the block size itself may be wrong: what
  // follows cannot be trusted, so it ends the run.
  return err instanceof FormatError && err.sequence !== undefined && err.field !== undefined && err.field !== 'sync';
}

const EARLY_CLOSE = new AbortError('container reader closed before the end');

/**
 * Reads the container after its header: yields batches of consecutive
 * chunks in order, each verified and checked against the chain; returns
 * the figures once the container was read to its end. Leaving early (the
 * consumer stops iterating, or throws) stops the run and frees its ring.
 */
export async function* readContainer(input: Input, header: ContainerHeader, cfg: ReadConfig): AsyncGenerator<ReadItem[], ReadFigures> {
  const { chunkSize } = header;
  const plan = readPlan(chunkSize, Run.workersOf(cfg), input.size, cfg.ringSlots);
  const run = await Run.start({ ...cfg, inputPath: input.path }, plan, () => `reading a container of ${chunkSize}-byte chunks`, input.size);
  const { ring, slots: own } = run;
  const report = cfg.corrupt === 'report';
  const totalBytes = input.kind === 'file' ? input.size : undefined;
  /** Chunks that failed, by sequence, until the loop reaches them. */
  const faults = new Map<number, ChecksumMismatchError | FormatError>();
  let total = -1;
  let containerEnd = header.length;
  /** Set when the consumer left early: no new tasks, and those running may finish. */
  let closing = false;
  const running = new Set<Promise<void>>();

  // In report mode a batch with a bad chunk is run again chunk by chunk, so
  // the good ones in it still get through and the bad one is known exactly.
  /** What the calls returned, by sequence, until the loop reaches them. */
  const values = new Map<number, CallValue>();
  const submit = (slots: number[], first: number): void => {
    if (run.failed || closing) return;
    const part: UnpackPart = { op: 'unpack', slots, fd: input.kind === 'file' ? input.fd : -1, chunkSize, sync: header.sync, ...(cfg.call === undefined ? {} : { call: cfg.call }) };
    const bytes = slots.reduce((n, slot) => n + ring.get(slot, 'blockLength'), 0);
    if (cfg.call !== undefined) for (const slot of slots) ring.set(slot, 'calling', 0);
    const p = run.results(part, bytes).then((r) => {
      const err = 'error' in r ? r.error : undefined;
      if (err === undefined) {
        if ('values' in r) r.values?.forEach((v, i) => values.set(first + i, v));
        slots.forEach((slot, i) => run.window.put(first + i, slot));
      } else if (cfg.call !== undefined) {
        run.fail(callFailure(ring, err, slots));
      } else if (!report || !isChunkFault(err)) {
        run.fail(err);
      } else if (slots.length > 1) {
        slots.forEach((slot, i) => submit([slot], first + i));
      } else {
        faults.set(first, err);
        run.window.put(first, slots[0] ?? -1);
      }
    });
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  // The reader's failure is the run's (and wakes the loop below).
  const loop = (async (): Promise<void> => {
    const read = await readBlocks(input, header, run, plan.batch, plan.recordLimit, submit);
    if (read !== undefined) {
      total = read.total;
      containerEnd = read.end;
      run.window.wake();
    }
  })().catch((err: unknown) => run.fail(err));

  const chain = new ChainVerifier(header, { publicKey: cfg.publicKey });
  let corruptChunks = 0;
  let bytesOut = 0;
  let compressedChunks = 0;
  let lastUndecoded = false;
  // True until the loop ends by itself or by an error: the consumer left early.
  let left = true;
  try {
    while (!run.failed) {
      const ready = run.window.take(BATCH, Number.MAX_SAFE_INTEGER);
      if (ready.length === 0) {
        if (total >= 0 && run.window.next >= total) break;
        await run.window.wait();
        continue;
      }
      const items: ReadItem[] = [];
      let broken: Error | undefined;
      try {
        for (const { seq, slot } of ready) {
          const fault = faults.get(seq);
          faults.delete(seq);
          // A record that did not decode leaves the slot's fields stale: assume
          // a full chunk, and that it is final only when nothing follows it.
          const decoded = fault === undefined || fault instanceof ChecksumMismatchError;
          lastUndecoded = !decoded;
          const offset = decoded ? ring.get(slot, 'offset') : chain.nextOffset;
          const length = decoded ? ring.get(slot, 'length') : chunkSize;
          const final = decoded ? ring.get(slot, 'final') === 1 : total >= 0 && seq === total - 1;
          const start = ring.get(slot, 'dataStart');
          // Past a corrupt chunk the root may not match: noted, not thrown.
          if (fault !== undefined) chain.tolerateRootMismatch = true;
          try {
            chain.next({
              sequence: seq,
              at: ring.get(slot, 'blockOffset'),
              offset,
              length,
              final,
              // The root covers the stored digests: a chunk whose data alone is bad still lets it be checked.
              digest: fault instanceof ChecksumMismatchError ? Buffer.from(fault.expected, 'hex') : decoded ? ring.area(slot, 'digest') : null,
              lastByte: fault === undefined && length > 0 ? ring.bytes[start + length - 1] : undefined,
              ...(decoded && final ? { root: ring.area(slot, 'root'), headerDigest: ring.get(slot, 'hasHeaderDigest') === 1 ? ring.area(slot, 'headerDigest') : null, metadata: finalMetadata(ring, slot, chunkSize) } : {}),
            });
          } catch (err) {
            broken = err instanceof Error ? err : new Error(String(err));
            break;
          }
          if (fault !== undefined) {
            corruptChunks++;
            items.push({ kind: 'corrupt', sequence: seq, offset, error: fault });
          } else {
            bytesOut += length;
            if (ring.get(slot, 'codec') === CODEC_LZ4) compressedChunks++;
            const value = values.get(seq);
            values.delete(seq);
            items.push({ kind: 'chunk', sequence: seq, offset, bytes: ring.bytes.subarray(start, start + length), final, ...(value === undefined ? {} : { value }) });
          }
        }
        // What passed the chain before a broken link still goes out.
        if (items.length > 0) yield items;
      } finally {
        for (const { slot } of ready) own.release(slot);
      }
      if (broken !== undefined) throw broken;
      run.progress({ bytes: bytesOut, storedBytes: ring.get(ready[ready.length - 1]?.slot ?? 0, 'blockOffset'), chunks: run.window.next, totalBytes });
    }
    // An undecodable last chunk may have been the final one: its corrupt
    // item said so already, and the run is reported as not verified.
    if (!run.failed && !lastUndecoded) chain.end(total, containerEnd);
    left = false;
  } catch (err) {
    left = false;
    run.fail(err);
  } finally {
    if (left) {
      closing = true;
      await run.closeEarly(running, [loop], EARLY_CLOSE);
    }
  }
  await run.finish([loop]);
  run.progress({ bytes: bytesOut, storedBytes: containerEnd, chunks: total, totalBytes }, true);
  return {
    chunks: total,
    bytes: bytesOut,
    storedBytes: containerEnd,
    compressedChunks,
    rootDigest: chain.root,
    corruptChunks,
    verified: chain.verified,
    signer: chain.signer,
    resilience: run.resilienceStats,
  };
}
