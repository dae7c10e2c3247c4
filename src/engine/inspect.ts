// inspect: header and per-chunk figures of a container, read on the main
// thread without verifying digests (verify does that).
import { performance } from 'node:perf_hooks';
import { TruncatedStreamError } from '../errors.js';
import type { HeaderLimits } from '../format/header.js';
import { decodeRecord, RECORD_OVERHEAD_MAX } from '../format/record.js';
import { CODEC_LZ4, SYNC_SIZE } from '../format/constants.js';
import type { Input } from '../io/source.js';
import { readBlockPrefix, readContainerHeader } from './container-input.js';
import { read } from 'node:fs';
import { promisify } from 'node:util';

const readAsync = promisify(read);

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
  durationMs: number;
}

export async function runInspect(input: Input, limits: HeaderLimits): Promise<InspectReport> {
  const t0 = performance.now();
  const header = await readContainerHeader(input, limits);
  const limit = header.chunkSize + RECORD_OVERHEAD_MAX;
  const buf = new Uint8Array(limit + SYNC_SIZE);
  let pos = header.length;
  let seq = 0;
  let bytes = 0;
  let compressed = 0;
  let root: string | null = null;
  let complete = false;
  try {
    for (;;) {
      const prefix = await readBlockPrefix(input, pos, seq, limit);
      if (prefix === null) break;
      const at = pos + prefix.prefixLength;
      const block = buf.subarray(0, prefix.size + SYNC_SIZE);
      let n: number;
      if (input.kind === 'file') {
        n = 0;
        while (n < block.length) {
          const { bytesRead } = await readAsync(input.fd, block, n, block.length - n, at + n);
          if (bytesRead === 0) break;
          n += bytesRead;
        }
      } else {
        n = await input.reader.read(block);
      }
      if (n < block.length) throw new TruncatedStreamError(at + n, 'container ends inside a block', seq);
      const rec = decodeRecord(block, 0, prefix.size, { sequence: seq, baseOffset: at, chunkSize: header.chunkSize });
      bytes += rec.length;
      if (rec.codec === CODEC_LZ4) compressed++;
      seq++;
      pos = at + block.length;
      if (rec.final) {
        root = Buffer.from(block.subarray(rec.rootAt, rec.rootAt + 32)).toString('hex');
        complete = true;
      }
    }
  } catch (err) {
    if (!(err instanceof TruncatedStreamError)) throw err;
  }
  const metadata: Record<string, string> = {};
  const text = new TextDecoder('utf-8', { fatal: true });
  for (const [k, v] of header.metadata) {
    try {
      metadata[k] = text.decode(v);
    } catch {
      metadata[k] = Buffer.from(v).toString('hex');
    }
  }
  return {
    operation: 'inspect',
    streamId: header.streamId,
    chunkSize: header.chunkSize,
    source: header.source,
    metadata,
    headerBytes: header.length,
    chunks: seq,
    bytes,
    storedBytes: pos,
    compressedChunks: compressed,
    ratio: bytes > 0 ? pos / bytes : 0,
    rootDigest: root,
    complete,
    durationMs: performance.now() - t0,
  };
}
