// pack: raw bytes in, container out. The reader (raw-reader.ts) fills ring
// slots (or, for a file, tells workers where to read), workers hash and
// compress, the writer emits one block per chunk in sequence order and frees
// the slot.
import { basename } from 'node:path';
import { createHeader } from '../../format/header.js';
import { RecordFramer } from '../../format/frame.js';
import { CODEC_LZ4, DIGEST_SIZE } from '../../format/constants.js';
import type { Input } from '../../io/source.js';
import type { Sink } from '../../io/sink.js';
import type { Compression } from '../../options.js';
import type { Signer } from '../../format/signature.js';
import { Run, type RunConfig } from './run.js';
import type { RunReport } from './run-report.js';
import { packPlan } from './ring-plan.js';
import { RawReader } from './raw-reader.js';

export interface PackReport extends RunReport {
  operation: 'pack';
  compression: Compression;
  /** The delimiter byte chunks were cut after (hivestream.boundary), or null for fixed-size chunks. */
  boundary: number | null;
  durationMs: number;
}

export interface PackConfig extends Omit<RunConfig, 'inputPath'> {
  chunkSize: number;
  compression: Compression;
  sourceName: string | undefined;
  /** Optional header content keys (hivestream.content_type, hivestream.content_meta). */
  contentType?: string | undefined;
  contentMeta?: string | undefined;
  ringSlots: number | undefined;
  /** Signs the final record (root and header digests). */
  signer?: Signer | undefined;
  /** Cut chunks after this delimiter byte (recorded in the header), or fixed-size chunks. */
  boundary?: number | undefined;
}

/** Records written per sink call (two buffers each, within IOV_MAX). */
const WRITE_BATCH = 500;

export async function runPack(input: Input, sink: Sink, cfg: PackConfig): Promise<Omit<PackReport, 'durationMs'>> {
  const { chunkSize } = cfg;
  const lz4 = cfg.compression === 'lz4';
  // Bytes in memory and files have a known size: no more slots than chunks, and the last chunk is known.
  const knownSize = input.size;
  const plan = packPlan(chunkSize, Run.workersOf(cfg), lz4, knownSize, cfg.ringSlots);
  const run = await Run.start({ ...cfg, inputPath: input.path }, plan, () => `pack with ${chunkSize}-byte chunks${lz4 ? ' and LZ4' : ''}`, knownSize);
  const { ring, slots: own } = run;
  const sourceName = cfg.sourceName ?? (input.path === undefined ? undefined : basename(input.path));
  const { header, bytes: headerBytes } = createHeader({ chunkSize, source: sourceName, contentType: cfg.contentType, contentMeta: cfg.contentMeta, boundary: cfg.boundary });
  const totalBytes = knownSize;

  const boundary = cfg.boundary;
  // A pack's chunks never exceed its chunk size: a longer record is an error.
  const reader = new RawReader(input, run, plan.batch, { chunkSize, delimiter: boundary, maxRecord: chunkSize });
  // Fixed chunks of a known size: the final one is known from the start.
  let total = knownSize === undefined || boundary !== undefined ? -1 : Math.max(1, Math.ceil(knownSize / chunkSize));
  const framer = new RecordFramer(header, cfg.signer);

  const read = async (): Promise<void> => {
    const fd = input.kind === 'file' ? input.fd : -1;
    const n = await reader.read((b) => {
      run.submit({ op: 'pack', slots: b.slots, fd, lz4 }, b.bytes, () => {
        b.slots.forEach((slot, i) => run.window.put(b.first + i, slot));
      });
      // A stream chunk is final only once we know nothing follows it.
      run.window.wake();
    });
    if (n !== undefined) {
      total = n;
      run.window.wake();
    }
  };

  const writer = async (): Promise<void> => {
    // The header goes out with the first records (one write for a small input).
    let head: Uint8Array[] = [headerBytes];
    while (!run.failed) {
      // A chunk may be written once a later one exists or the total is known.
      const limit = total >= 0 ? total : reader.assigned - 1;
      const ready = run.window.take(WRITE_BATCH, limit);
      if (ready.length === 0) {
        if (total >= 0 && run.window.next >= total) return;
        await run.window.wait();
        continue;
      }
      const iov = head.concat(framer.frame(
        ready.map(({ seq, slot }) => {
          const stored = ring.get(slot, 'stored');
          const codec = ring.get(slot, 'codec');
          return {
            sequence: seq,
            offset: ring.get(slot, 'offset'),
            length: ring.get(slot, 'length'),
            codec,
            digest: ring.area(slot, 'digest'),
            data: codec === CODEC_LZ4 ? ring.output(slot, stored) : ring.input(slot, stored),
            final: seq === total - 1,
          };
        }),
      ));
      head = [];
      await sink.write(iov);
      for (const { slot } of ready) own.release(slot);
      run.progress({ bytes: framer.rawBytes, storedBytes: headerBytes.length + framer.storedBytes, chunks: run.window.next, totalBytes });
    }
  };

  await run.finish([read(), writer()]);
  const storedBytes = headerBytes.length + framer.storedBytes;
  run.progress({ bytes: framer.rawBytes, storedBytes, chunks: total, totalBytes }, true);
  if (framer.root.length !== 2 * DIGEST_SIZE) throw new Error('internal: pack finished without a final chunk');
  return {
    operation: 'pack',
    chunks: total,
    bytes: framer.rawBytes,
    storedBytes,
    compressedChunks: framer.compressedChunks,
    rootDigest: framer.root,
    streamId: header.streamId,
    chunkSize,
    compression: cfg.compression,
    boundary: boundary ?? null,
    workers: Run.workersOf(cfg),
    hashBackend: cfg.backends.hash,
    lz4Backend: cfg.backends.lz4,
    resilience: run.resilienceStats,
    ...(cfg.signer === undefined ? {} : { signer: cfg.signer.fingerprint }),
  };
}
