// One measured pack for `bench sweep`, in its own process so that peak RSS
// and CPU time belong to this run alone. A one-chunk pack with the same
// options starts the worker pool (kept for the next run) and picks the back
// ends. Then the file is packed twice: the first pass is what a fresh CLI
// process sees (the ring's pages are touched for the first time, the file
// path's code is cold); the second is the steady state of a service that
// packs one input after another, and is the one measured in detail.
// Prints one JSON line.
//   node dist/bench/run-one.js '{"file":"...","workers":2,"chunkSize":1048576,"codec":"lz4"}'
import { readFileSync } from 'node:fs';
import { pack } from '../api.js';
import { closeIdlePools } from '../engine/main/process-engine.js';

export interface RunOneConfig {
  file: string;
  workers: number;
  chunkSize: number;
  codec: 'none' | 'lz4';
}

export interface RunOneResult {
  bytes: number;
  storedBytes: number;
  chunks: number;
  /** The second (steady-state) pass. */
  durationMs: number;
  /** The first pass over the file. */
  coldDurationMs: number;
  /** CPU time of the second pass, all threads. */
  userMs: number;
  systemMs: number;
  /** Peak RSS of this process image (VmHWM on Linux). */
  maxRssBytes: number;
  hashBackend: string;
  lz4Backend: string;
  /** Flat pairs: task latency in ms, chunks in the task. */
  tasks: number[];
}

/**
 * Peak RSS of this process. Not getrusage's maxrss on Linux: it survives
 * execve, so a child forked from a large parent (the sweep, just after
 * generating a 4 GiB file) reports the parent's size. VmHWM belongs to the
 * new address space alone.
 */
function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1] !== undefined) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as RunOneConfig;
  const options = { workers: cfg.workers, chunkSize: cfg.chunkSize, compression: cfg.codec };
  await pack(new Uint8Array(cfg.chunkSize), '/dev/null', options);
  const cold = await pack(cfg.file, '/dev/null', options);
  const tasks: number[] = [];
  const before = process.resourceUsage();
  const report = await pack(cfg.file, '/dev/null', { ...options, onTaskTiming: (ms, chunks) => tasks.push(ms, chunks) });
  const after = process.resourceUsage();
  await closeIdlePools();
  const result: RunOneResult = {
    bytes: report.bytes,
    storedBytes: report.storedBytes,
    chunks: report.chunks,
    durationMs: report.durationMs,
    coldDurationMs: cold.durationMs,
    userMs: (after.userCPUTime - before.userCPUTime) / 1000,
    systemMs: (after.systemCPUTime - before.systemCPUTime) / 1000,
    maxRssBytes: peakRss(),
    hashBackend: report.hashBackend,
    lz4Backend: report.lz4Backend,
    tasks,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

try {
  await main();
} catch (err) {
  process.stderr.write(`run-one: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
