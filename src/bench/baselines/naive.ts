// Naive baseline: what a first attempt looks like. One thread reads the file
// with a read stream, hashes each chunk with node:crypto and (with --lz4)
// compresses it with lz4-napi; the compressed bytes are dropped (hivestream's
// contenders write theirs to /dev/null, which costs next to nothing).
//   node dist/bench/baselines/naive.js FILE [--lz4] [--chunk-size 1MiB]
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { runBaseline, type BaselineArgs } from './args.js';

interface Lz4Napi {
  compressSync(data: Buffer): Buffer;
}

async function naive(a: BaselineArgs): Promise<object> {
  const t0 = performance.now();
  const lz4 = a.lz4 ? (createRequire(import.meta.url)('lz4-napi') as Lz4Napi) : undefined;
  const root = createHash('sha256');
  let bytes = 0;
  let stored = 0;
  let chunks = 0;
  // A file read stream hands out highWaterMark-sized buffers: one per chunk.
  for await (const chunk of createReadStream(a.file, { highWaterMark: a.chunkSize })) {
    const data = chunk as Buffer;
    root.update(createHash('sha256').update(data).digest());
    const compressed = lz4?.compressSync(data);
    stored += compressed !== undefined && compressed.length < data.length ? compressed.length : data.length;
    bytes += data.length;
    chunks++;
  }
  return { baseline: 'naive', bytes, storedBytes: stored, chunks, rootDigest: root.digest('hex'), durationMs: performance.now() - t0 };
}

await runBaseline('naive baseline', naive);
