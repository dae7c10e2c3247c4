// A large multi-tensor checkpoint (every dtype) written from generators,
// read back tensor by tensor from Node and from Python (python/hivestream),
// bit-exact (SHA-256 of every tensor's bytes), with each side's peak RSS:
// memory is bounded by the chunk ring and one chunk, not by the tensors.
//
//   node scripts/checkpoint-rss.mjs [--size 1GiB] [--lz4] [--keep DIR]
import console from 'node:console';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DTYPES, DTYPE_INFO, closeIdlePools, openCheckpoint, parseSize, writeCheckpoint } from '../dist/index.js';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const total = parseSize(arg('--size') ?? '1GiB');
const lz4 = process.argv.includes('--lz4');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = arg('--keep') ?? mkdtempSync(join(tmpdir(), 'hvs-ckpt-rss-'));
const path = join(dir, 'big.hvs');
const PIECE = 1 << 20;

// One tensor per dtype, sizes summing to about `total`; a scalar too.
const per = Math.floor(total / DTYPES.length);
const specs = DTYPES.map((dtype, i) => {
  const size = DTYPE_INFO[dtype].size;
  const n = Math.floor(per / size / 1024) * 1024;
  return { name: `t${i}.${dtype}`, dtype, shape: [n / 1024, 1024], seed: i + 1 };
});
specs.push({ name: 'step', dtype: 'int64', shape: [], seed: 99 });

const digests = {};
const nodeBaseline = process.memoryUsage().rss;
/** Seeded bytes of a tensor, 1 MiB at a time (xorshift32), hashed as they go. */
function* bytes(spec) {
  let left = spec.shape.reduce((a, b) => a * b, 1) * DTYPE_INFO[spec.dtype].size;
  let x = spec.seed * 2654435761 >>> 0 || 1;
  const h = createHash('sha256');
  while (left > 0) {
    const n = Math.min(PIECE, left);
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    const b = new Uint8Array(words.buffer, 0, n);
    if (spec.dtype === 'bool') for (let i = 0; i < n; i++) b[i] &= 1;
    h.update(b);
    left -= n;
    yield b;
  }
  digests[spec.name] = h.digest('hex');
}

const t0 = performance.now();
await writeCheckpoint(
  specs.map((s) => ({ name: s.name, dtype: s.dtype, shape: s.shape, data: bytes(s) })),
  path,
  { compression: lz4 ? 'lz4' : 'none', metadata: { purpose: 'rss check' } },
);
const writeS = (performance.now() - t0) / 1000;
const t1 = performance.now();
const ck = await openCheckpoint(path, { cacheChunks: 1 });
let bad = 0;
for (const t of ck.tensors) {
  const h = createHash('sha256');
  for await (const s of ck.slices(t.name)) h.update(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength));
  if (h.digest('hex') !== digests[t.name]) bad++;
}
ck.close();
const readS = (performance.now() - t1) / 1000;
const nodeRss = process.resourceUsage().maxRSS * 1024;

writeFileSync(join(dir, 'digests.json'), JSON.stringify(digests));
const py = spawnSync(
  '/usr/bin/python3',
  [
    '-c',
    `
import hashlib, json, resource, sys, time
from hivestream import open_checkpoint
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
want = json.load(open(sys.argv[2]))
t = time.perf_counter()
bad = 0
with open_checkpoint(sys.argv[1], cache_chunks=1) as ck:
    for e in ck.tensors:
        h = hashlib.sha256()
        for piece in ck.pieces(e["name"]):
            h.update(piece)
        bad += h.hexdigest() != want[e["name"]]
print(json.dumps({"bad": bad, "seconds": time.perf_counter() - t, "maxRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "baseline": baseline}))
`,
    path,
    join(dir, 'digests.json'),
  ],
  { env: { ...process.env, PYTHONPATH: join(ROOT, 'python') }, encoding: 'utf8' },
);
if (py.status !== 0) throw new Error(py.stderr);
const python = JSON.parse(py.stdout);
const mb = (b) => (b / 1e6).toFixed(0);
const report = {
  tensors: specs.length,
  rawBytes: ck.layout.byteLength,
  containerBytes: statSync(path).size,
  compression: lz4 ? 'lz4' : 'none',
  node: { writeSeconds: writeS, readSeconds: readS, mismatches: bad, peakRssBytes: nodeRss, rssAfterImportBytes: nodeBaseline },
  python: { readSeconds: python.seconds, mismatches: python.bad, peakRssBytes: python.maxRss, rssAfterImportBytes: python.baseline },
};
console.log(JSON.stringify(report));
console.log(
  `${specs.length} tensors, ${mb(report.rawBytes)} MB raw: Node write ${writeS.toFixed(1)} s, read ${readS.toFixed(1)} s, ${bad} mismatches, peak RSS ${mb(nodeRss)} MB (${mb(nodeBaseline)} after import); ` +
    `Python read ${python.seconds.toFixed(1)} s, ${python.bad} mismatches, peak RSS ${mb(python.maxRss)} MB (${mb(python.baseline)} after import)`,
);
if (arg('--keep') === undefined) rmSync(dir, { recursive: true, force: true });
await closeIdlePools();
process.exitCode = bad + python.bad > 0 ? 1 : 0;
