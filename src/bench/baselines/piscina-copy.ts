// Piscina baseline that copies chunks instead of sharing a ring: the main
// thread reads each chunk into a fresh buffer, transfers it to a worker,
// the worker hashes (and compresses) it with the SAME kernels hivestream
// uses and transfers it back, and the main thread writes the result to
// /dev/null in order. Against hivestream this isolates what the shared ring
// and worker-side reads buy: no per-chunk allocation, no main-thread read,
// no buffer transfer, batched tasks.
//   node dist/bench/baselines/piscina-copy.js FILE [--lz4] [--chunk-size 1MiB] [--workers N]
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { packageFile } from '../../util/package-root.js';
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { resolveBackends } from '../../engine/backends/select.js';
import { lz4Bound } from '../../engine/contract/slots.js';
import { runBaseline, type BaselineArgs } from './args.js';
import { COPY_HEADER, type CopyInit } from './copy-protocol.js';

async function copyBaseline(a: BaselineArgs): Promise<object> {
  const t0 = performance.now();
  const backends = await resolveBackends({});
  const init: CopyInit = { backends, lz4: a.lz4 };
  const pool = new Piscina<Uint8Array, Uint8Array>({
    filename: pathToFileURL(packageFile('dist/bench/baselines/copy-worker.js')).href,
    minThreads: a.workers,
    maxThreads: a.workers,
    workerData: init,
    atomics: 'async',
  });
  const input = await open(a.file, 'r');
  const sink = await open('/dev/null', 'w');
  const root = createHash('sha256');
  let bytes = 0;
  let stored = 0;
  let chunks = 0;
  // As deep as the engine's ring: a few chunks per worker in flight.
  const depth = a.workers * 4;
  const inflight: Array<Promise<Uint8Array>> = [];
  const drain = async (): Promise<void> => {
    const next = inflight.shift();
    if (next === undefined) return;
    const buf = await next;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const length = view.getUint32(32, true);
    const compressed = view.getUint32(36, true);
    root.update(buf.subarray(0, 32));
    const data = compressed > 0 ? buf.subarray(COPY_HEADER + length, COPY_HEADER + length + compressed) : buf.subarray(COPY_HEADER, COPY_HEADER + length);
    await sink.write(data);
    bytes += length;
    stored += data.length;
    chunks++;
  };
  try {
    const { size } = await input.stat();
    for (let pos = 0; pos < size || chunks + inflight.length === 0; pos += a.chunkSize) {
      const n = Math.min(a.chunkSize, size - pos);
      // A fresh buffer per chunk (the copy a shared ring avoids), laid out as copy-protocol.ts says.
      const buf = new Uint8Array(COPY_HEADER + n + (a.lz4 ? lz4Bound(n) : 0));
      new DataView(buf.buffer).setUint32(32, n, true);
      for (let got = 0; got < n; ) {
        const { bytesRead } = await input.read(buf, COPY_HEADER + got, n - got, pos + got);
        if (bytesRead === 0) throw new Error(`${a.file} ended early`);
        got += bytesRead;
      }
      inflight.push(pool.run(buf, { transferList: [buf.buffer] }));
      if (inflight.length >= depth) await drain();
    }
    while (inflight.length > 0) await drain();
  } finally {
    await Promise.allSettled(inflight);
    await Promise.all([input.close(), sink.close(), pool.destroy()]);
  }
  return { baseline: 'piscina-copy', bytes, storedBytes: stored, chunks, rootDigest: root.digest('hex'), hashBackend: backends.hash, lz4Backend: backends.lz4, durationMs: performance.now() - t0 };
}

await runBaseline('piscina-copy baseline', copyBaseline);
