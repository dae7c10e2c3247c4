// Packs a small input many times, alternating three option sets (chunk size,
// LZ4, a run's share of the pool, hash back end, resilience options of its
// own), and prints the resident and heap memory after a warm-up and at the
// end. Run in a child process so the figures are this loop's alone:
//   node --expose-gc test/helpers/alternating-packs.mjs <dist/index.js> <calls>
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const { pack, closeIdlePools } = await import(pathToFileURL(process.argv[2] ?? '').href);
const calls = Number(process.argv[3] ?? 600);
const data = new Uint8Array(300 * 1024).map((_, i) => (i * 2654435761) >>> 24);
const sets = [
  { chunkSize: '64KiB', compression: 'lz4' },
  { chunkSize: '1MiB', workers: 1, hashBackend: 'node' },
  { chunkSize: '4KiB', compression: 'lz4', resilience: { taskTimeoutMs: 10_000 } },
];
const gc = globalThis.gc ?? (() => undefined);
const mem = () => {
  gc();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20 };
};
let warm = mem();
const t0 = performance.now();
for (let i = 0; i < calls; i++) {
  await pack(data, new Writable({ write: (_c, _e, cb) => cb() }), sets[i % sets.length]);
  if (i === 99) warm = mem();
}
const msPerCall = (performance.now() - t0) / calls;
const end = mem();
await closeIdlePools();
console.log(JSON.stringify({ calls, msPerCall, warm, end, afterClose: mem() }));
