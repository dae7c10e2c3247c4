// What a benchmark result must say about where it ran: CPU, cores, load,
// memory, versions of Node and of the peers, and page-cache residency of
// the input (through util-linux `fincore` when it is on PATH).
import { spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem, freemem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { findOnPath } from './peers.js';
import { mbPerSec, round } from './stats.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  os: string;
  totalMemoryBytes: number;
  freeMemoryBytes: number;
  /** 1-minute load average when the benchmark started and when it ended. */
  loadAverage: { start: number; end?: number };
  tools: Record<string, string>;
}

function firstLine(file: string, args: string[]): string | undefined {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 5000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0];
  return r.error === undefined && text !== undefined && text !== '' ? text.replace(/^\*+\s*|\s*\*+$/g, '') : undefined;
}

const VERSION_ARGS: Record<string, string[]> = { openssl: ['version'], sha256sum: ['--version'], lz4: ['--version'] };

export function machineInfo(pathEnv?: string): MachineInfo {
  const tools: Record<string, string> = {};
  for (const [name, args] of Object.entries(VERSION_ARGS)) {
    const path = findOnPath(name, pathEnv);
    tools[name] = path === undefined ? 'not found on PATH' : (firstLine(path, args) ?? path);
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    os: `${process.platform} ${release()}`,
    totalMemoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage: { start: round(loadavg()[0] ?? Number.NaN, 2) },
    tools,
  };
}

export function finishMachineInfo(m: MachineInfo): void {
  m.loadAverage.end = round(loadavg()[0] ?? Number.NaN, 2);
}

/** Fraction of the file resident in the page cache (0..1), or null when fincore is missing. */
export function pageCacheResident(path: string, pathEnv?: string): number | null {
  const fincore = findOnPath('fincore', pathEnv);
  if (fincore === undefined) return null;
  const r = spawnSync(fincore, ['--bytes', '--noheadings', '--output', 'RES,SIZE', path], { encoding: 'utf8', timeout: 10_000 });
  const [res, size] = (r.stdout ?? '').trim().split(/\s+/).map(Number);
  if (res === undefined || size === undefined || !Number.isFinite(res) || !Number.isFinite(size)) return null;
  return size === 0 ? 1 : round(res / size, 4);
}

/** Reads the whole file once (into the page cache); returns the read's MB/s. */
export async function warmRead(path: string): Promise<number> {
  const t0 = performance.now();
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return round(mbPerSec(total, performance.now() - t0), 0);
}
