// Runs benchmark contenders as child processes and times them by the wall
// clock: from the first spawn to the last exit. Several processes in one
// run start together (a peer pair such as `lz4 -1` and `sha256sum` side by
// side) and the run lasts until all of them have exited.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface ProcSpec {
  file: string;
  args: string[];
  /** 'ignore' sends stdout to /dev/null (the data output); 'capture' keeps it (a JSON report). */
  stdout: 'ignore' | 'capture';
}

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock ms from this run's start to this process's exit. */
  exitMs: number;
}

export interface TimedRun {
  ms: number;
  /** CPU time of the run's processes (user + system, all threads), ms; null when unknown. */
  cpuMs: number | null;
  ok: boolean;
  /** First failure, one line. */
  error?: string;
  results: ProcResult[];
}

/** Bytes of stdout/stderr kept per process: reports and error lines are small. */
const KEEP = 1 << 20;

function runOne(p: ProcSpec, t0: number, env: NodeJS.ProcessEnv): Promise<ProcResult> {
  return new Promise((resolve) => {
    const child = spawn(p.file, p.args, { stdio: ['ignore', p.stdout === 'capture' ? 'pipe' : 'ignore', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let exitMs = Number.NaN;
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < KEEP) stdout += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < KEEP) stderr += d.toString('utf8');
    });
    // 'exit' is the moment the process ended; 'close' waits for its pipes to drain.
    child.on('exit', () => {
      exitMs = performance.now() - t0;
    });
    child.on('error', (err) => resolve({ code: null, signal: null, stdout, stderr: err.message, exitMs: performance.now() - t0 }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, exitMs: Number.isNaN(exitMs) ? performance.now() - t0 : exitMs }));
  });
}

function failure(p: ProcSpec, r: ProcResult): string | undefined {
  if (r.code === 0) return undefined;
  const line = r.stderr.trim().split('\n').find((l) => l.trim() !== '') ?? '';
  const how = r.signal !== null ? `killed by ${r.signal}` : r.code === null ? 'did not start' : `exit code ${r.code}`;
  return `${p.file.split('/').pop() ?? p.file}: ${how}${line === '' ? '' : `: ${line.slice(0, 300)}`}`;
}

/** Starts every process at once and waits for all; `ms` is until the last exit. */
export async function runTimed(procs: readonly ProcSpec[], env: NodeJS.ProcessEnv = process.env): Promise<TimedRun> {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const results = await Promise.all(procs.map((p) => runOne(p, t0, env)));
  const ms = Math.max(...results.map((r) => r.exitMs));
  const cpu1 = childrenCpuMs();
  const cpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  const error = procs.map((p, i) => {
    const r = results[i];
    return r === undefined ? undefined : failure(p, r);
  }).find((e) => e !== undefined);
  return error === undefined ? { ms, cpuMs, ok: true, results } : { ms, cpuMs, ok: false, error, results };
}

/** Linux's USER_HZ: /proc times are in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms) of this process's waited-for children so far,
 * from /proc/self/stat (cutime, cstime); null off Linux. The difference
 * around a run is the CPU the run's processes used, all their threads.
 */
export function childrenCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? ((cutime + cstime) * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
