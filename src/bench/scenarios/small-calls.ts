// Child process of `bench compare --scenario small`: many small pack() calls
// from `callers` concurrent callers, as an ingestion service makes them, or
// the same work done the plain way (node:crypto SHA-256 + write + rename).
// Prints one JSON line: time per call, latency percentiles, peak threads
// and RSS of this process.
//   node dist/bench/scenarios/small-calls.js --impl hivestream|baseline --callers 8 --calls 4000 --size 65536 --dir DIR [--lz4] [--sink file|memory]
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pack } from '../../api.js';
import { closeIdlePools } from '../../engine/main/process-engine.js';
import { fillBlock } from '../../util/profiles.js';
import { percentile } from '../stats.js';

function status(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { impl: { type: 'string' }, callers: { type: 'string' }, calls: { type: 'string' }, size: { type: 'string' }, dir: { type: 'string' }, lz4: { type: 'boolean' }, sink: { type: 'string' } },
  });
  const callers = Number(values.callers ?? '1');
  const calls = Number(values.calls ?? '2000');
  const size = Number(values.size ?? String(64 * 1024));
  const dir = values.dir ?? '.';
  const impl = values.impl ?? 'hivestream';
  // Distinct payloads (text, LZ4-compressible), as distinct uploads would be.
  const payloads = Array.from({ length: 16 }, (_, i) => {
    const b = new Uint8Array(size);
    fillBlock('text', b, 7, i);
    return b;
  });
  const one = async (i: number): Promise<void> => {
    const data = payloads[i % payloads.length] ?? new Uint8Array(0);
    const out = join(dir, `o${i % (callers * 4)}`);
    if (impl === 'hivestream') {
      // --sink memory: the engine's own cost, without the file system's.
      const sink = values.sink === 'memory' ? new Writable({ write: (_c, _e, cb) => cb() }) : out;
      await pack(data, sink, { compression: values.lz4 === true ? 'lz4' : 'none' });
    } else {
      // The plain way: digest, write a temporary file, rename it into place.
      const digest = createHash('sha256').update(data).digest();
      const tmp = `${out}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, [digest, data]);
      await rename(tmp, out);
    }
  };
  // Warm up: module code optimised, threads started, files exist.
  for (let i = 0; i < Math.min(200, calls); i++) await one(i);
  const threadsBefore = status('Threads');
  let threadsPeak = threadsBefore;
  const sampler = setInterval(() => (threadsPeak = Math.max(threadsPeak, status('Threads'))), 10);
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < calls) {
        const i = next++;
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  clearInterval(sampler);
  threadsPeak = Math.max(threadsPeak, status('Threads'));
  console.log(
    JSON.stringify({
      impl,
      callers,
      calls,
      size,
      msPerCall: elapsed / calls,
      callsPerSec: (calls / elapsed) * 1000,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      threadsBefore,
      threadsPeak,
      rssPeakMiB: status('VmHWM') / 1024,
    }),
  );
  await closeIdlePools();
}

await main();
