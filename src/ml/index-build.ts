// `hivestream index`: gives a dataset container without a record index one.
// The records are read back verified, laid into the same pages again and
// followed by the index; the result replaces the file atomically (or goes to
// another file). Record bytes, chunk size and compression stay as they were.
import { inspect, pack, type SinkTarget } from '../api.js';
import { AbortError } from '../errors.js';
import { ChunkFile } from './chunk-file.js';
import type { PackOptions } from '../options.js';
import { PageReader } from './pages.js';
import { INDEX_KIND } from './record-index.js';
import { DATASET_CONTENT_TYPE } from './records.js';
import { indexedPages, parseTypedInfo, typedMeta } from './typed-records.js';

export interface IndexReport {
  /** False when the container had an index already (nothing was written). */
  written: boolean;
  records: number;
  chunks: number;
  rootDigest: string;
  durationMs: number;
}

export async function buildIndex(path: string, output: SinkTarget = path, options: Omit<PackOptions, 'contentType' | 'contentMeta' | 'chunkSize' | 'compression'> = {}): Promise<IndexReport> {
  const t0 = performance.now();
  const before = await inspect(path);
  const contentType = before.metadata['hivestream.content_type'];
  const contentMeta = before.metadata['hivestream.content_meta'];
  const info = parseTypedInfo(contentType, contentMeta);
  if (info.index !== undefined) return { written: false, records: -1, chunks: before.chunks, rootDigest: before.rootDigest ?? '', durationMs: performance.now() - t0 };
  const meta = contentType === DATASET_CONTENT_TYPE ? JSON.stringify({ ...(JSON.parse(contentMeta ?? '{}') as object), index: INDEX_KIND }) : typedMeta(info.fields);
  const counts = { records: 0 };
  // The records come through ChunkFile (chain, root and header digest checked at
  // open, each chunk's digest as it is read) on this thread, not through a second
  // engine run: a pack fed by another run of the same engine can wait on it forever
  // when the pack's slots are all it has (small chunks).
  const file = ChunkFile.open(path, { cacheChunks: 1 });
  function* records(): Generator<Uint8Array> {
    try {
      const reader = new PageReader(file.chunkSize);
      for (let seq = 0; seq < file.chunks; seq++) {
        if (options.signal?.aborted === true) throw new AbortError('index build aborted', { cause: options.signal.reason });
        const page = file.chunk(seq);
        for (const r of reader.page(seq, page, seq === file.chunks - 1).records) yield r.bytes;
      }
    } finally {
      file.close();
    }
  }
  const report = await pack(indexedPages(records(), (bytes) => bytes, before.chunkSize, counts), output, {
    ...options,
    chunkSize: before.chunkSize,
    compression: before.compressedChunks > 0 ? 'lz4' : 'none',
    contentType,
    contentMeta: meta,
  }).finally(() => file.close());
  return { written: true, records: counts.records, chunks: report.chunks, rootDigest: report.rootDigest, durationMs: performance.now() - t0 };
}
