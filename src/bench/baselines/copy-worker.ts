// Worker of the piscina-copy baseline: one transferred chunk per task, hashed
// (and LZ4-compressed) in its own buffer by hivestream's kernels, moved back.
import { move } from 'piscina';
import { workerData } from 'node:worker_threads';
import { createHashKernel, createLz4Kernel } from '../../engine/backends/kernels.js';
import { COPY_HEADER, type CopyInit } from './copy-protocol.js';

const init = workerData as CopyInit;
const hasher = await createHashKernel(init.backends.hash);
const lz4 = init.lz4 ? createLz4Kernel(init.backends.lz4) : undefined;
const hashJob = new Float64Array(3);
const lz4Job = new Float64Array(4);
const lz4Result = new Int32Array(1);

export default function hashChunk(buf: Uint8Array): unknown {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getUint32(32, true);
  hashJob.set([COPY_HEADER, n, 0]);
  hasher.hash(buf, hashJob, 1);
  let compressed = 0;
  if (lz4 !== undefined) {
    lz4Job.set([COPY_HEADER, n, COPY_HEADER + n, buf.length - COPY_HEADER - n]);
    lz4.compress(buf, lz4Job, 1, lz4Result);
    const c = lz4Result[0] ?? 0;
    compressed = c > 0 && c < n ? c : 0;
  }
  view.setUint32(36, compressed, true);
  return move(buf);
}
