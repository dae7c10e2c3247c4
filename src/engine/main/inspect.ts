// inspect: header and per-chunk figures of a container, read on the main
// thread. Each record is decoded and put through the chain rules (with the
// stored digests: the data itself is not hashed, verify does that); a
// container cut short is reported as incomplete rather than thrown.
import { performance } from 'node:perf_hooks';
import { TruncatedStreamError } from '../../errors.js';
import { ChainVerifier } from '../../format/chain.js';
import { headerText, type HeaderLimits } from '../../format/header.js';
import { decodeRecord, RECORD_OVERHEAD_MAX } from '../../format/record.js';
import { CODEC_LZ4, CODEC_NONE, DIGEST_SIZE, HEADER_DIGEST_KEY, SYNC_SIZE } from '../../format/constants.js';
import type { Input } from '../../io/source.js';
import { readBlockPrefix, readBlockBytes, readContainerHeader } from './container-input.js';

export interface InspectReport {
  operation: 'inspect';
  streamId: string;
  chunkSize: number;
  source: string | undefined;
  /** Header metadata as text (values that are not UTF-8 shown as hex). */
  metadata: Record<string, string>;
  headerBytes: number;
  chunks: number;
  /** Raw bytes the chunks restore to. */
  bytes: number;
  /** Container size in bytes. */
  storedBytes: number;
  compressedChunks: number;
  /** Container bytes per raw byte. */
  ratio: number;
  /** Root digest from the final chunk, or null when the final chunk is missing. */
  rootDigest: string | null;
  /** False when the container ends without its final chunk. */
  complete: boolean;
  /** Fingerprint of the key that signed the container, or null when unsigned (checked against its digests, not against a trusted key: use verify --key). */
  signer: string | null;
  durationMs: number;
}

export async function runInspect(input: Input, limits: HeaderLimits): Promise<InspectReport> {
  const t0 = performance.now();
  const header = await readContainerHeader(input, limits);
  const limit = header.chunkSize + RECORD_OVERHEAD_MAX;
  const buf = new Uint8Array(limit + SYNC_SIZE);
  const chain = new ChainVerifier(header);
  let pos = header.length;
  let seq = 0;
  let bytes = 0;
  let compressed = 0;
  try {
    for (;;) {
      const prefix = await readBlockPrefix(input, pos, seq, limit);
      if (prefix === null) break;
      const at = pos + prefix.prefixLength;
      const block = buf.subarray(0, prefix.size + SYNC_SIZE);
      await readBlockBytes(input, block, at, seq);
      const rec = decodeRecord(block, 0, prefix.size, { sequence: seq, baseOffset: at, chunkSize: header.chunkSize });
      const headerDigest = rec.metadata.get(HEADER_DIGEST_KEY);
      chain.next({
        sequence: seq,
        at,
        offset: rec.offset,
        length: rec.length,
        final: rec.final,
        digest: block.subarray(rec.digestAt, rec.digestAt + DIGEST_SIZE),
        // The last byte is checked where the data is stored raw (inspect does not decompress).
        lastByte: rec.codec === CODEC_NONE && rec.length > 0 ? block[rec.dataStart + rec.length - 1] : undefined,
        ...(rec.final
          ? { root: block.subarray(rec.rootAt, rec.rootAt + DIGEST_SIZE), headerDigest: headerDigest !== undefined && /^[0-9a-f]{64}$/.test(headerDigest) ? Buffer.from(headerDigest, 'hex') : null, metadata: rec.metadata }
          : {}),
      });
      bytes += rec.length;
      if (rec.codec === CODEC_LZ4) compressed++;
      seq++;
      pos = at + block.length;
    }
  } catch (err) {
    if (!(err instanceof TruncatedStreamError)) throw err;
  }
  return {
    operation: 'inspect',
    streamId: header.streamId,
    chunkSize: header.chunkSize,
    source: header.source,
    metadata: headerText(header.metadata),
    headerBytes: header.length,
    chunks: seq,
    bytes,
    storedBytes: pos,
    compressedChunks: compressed,
    ratio: bytes > 0 ? pos / bytes : 0,
    rootDigest: chain.ended ? chain.root : null,
    complete: chain.ended,
    signer: chain.signer ?? null,
    durationMs: performance.now() - t0,
  };
}
