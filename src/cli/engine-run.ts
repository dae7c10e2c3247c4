// What the pack, unpack, verify and process commands share: the engine options they
// take, where output and reports go, and running with a progress display.
import { ValidationError } from '../errors.js';
import type { Progress } from '../options.js';
import { parseFaults } from '../engine/main/faults.js';
import type { ResilienceOptions } from '../engine/main/task-guard.js';
import type { HashBackendName, Lz4BackendName } from '../engine/backends/kernels.js';
import { fstatSync, statSync } from 'node:fs';
import { flag, int, millis, str, useWorkers, type CommandContext, type ParsedArgs } from './command.js';
import { failureOf } from './failure.js';
import { PROGRESS_HELP, progressReporter, resolveProgress, type ProgressSample } from './progress.js';

export function source(path: string): string | NodeJS.ReadStream {
  return path === '-' ? process.stdin : path;
}

export function output(args: ParsedArgs, ctx: CommandContext, command: string): { target: string | NodeJS.WriteStream; name: string; toStdout: boolean } {
  const o = str(args, 'output');
  if (o === undefined) throw new ValidationError('--output', `missing: ${command} needs -o <file> or -o - for standard output`);
  const stdout = o === '-' || isStandardOutput(o);
  if (stdout && ctx.stdout.isTTY === true) throw new ValidationError('--output', 'refusing to write binary data to a terminal; redirect standard output or name a file');
  if (o === '-') return { target: ctx.stdout, name: 'standard output', toStdout: true };
  // A path to standard output itself (/dev/stdout) is written through (io/output-target.ts); the report goes to stderr.
  return { target: o, name: o, toStdout: stdout };
}

/** Whether `path` is the file standard output is (/dev/stdout, /dev/fd/1, or the file stdout was redirected to). */
function isStandardOutput(path: string): boolean {
  try {
    const out = fstatSync(1);
    const st = statSync(path);
    return st.dev === out.dev && st.ino === out.ino;
  } catch {
    return false;
  }
}

/** Reports go to stdout, unless stdout carries the data. */
export function say(ctx: CommandContext, toStdout: boolean, text: string): void {
  (toStdout ? ctx.stderr : ctx.stdout).write(text);
}

/** Resilience flags shared by pack, unpack and verify. */
export const RESILIENCE_OPTIONS = {
  'hash-backend': { type: 'string' },
  'lz4-backend': { type: 'string' },
  'inject-faults': { type: 'string' },
  'fault-seed': { type: 'string' },
  'task-timeout': { type: 'string' },
  'breaker-patience': { type: 'string' },
} as const;

/** --hash-backend / --lz4-backend, checked by the engine. */
function backends(args: ParsedArgs): { hashBackend?: HashBackendName | 'auto'; lz4Backend?: Lz4BackendName | 'auto' } {
  return { hashBackend: str(args, 'hash-backend') as HashBackendName | undefined, lz4Backend: str(args, 'lz4-backend') as Lz4BackendName | undefined };
}

function resilience(args: ParsedArgs): ResilienceOptions {
  const faults = str(args, 'inject-faults');
  return {
    taskTimeoutMs: millis(args, 'task-timeout'),
    patienceMs: millis(args, 'breaker-patience'),
    faults: faults === undefined ? undefined : { ...parseFaults(faults), seed: int(args, 'fault-seed') },
  };
}

export function name(from: string): string {
  return from === '-' ? 'standard input' : from;
}

/** Options every one of these commands passes to the API. */
export interface CommonCliOptions {
  workers: number | undefined;
  resilience: ResilienceOptions;
  hashBackend?: HashBackendName | 'auto';
  lz4Backend?: Lz4BackendName | 'auto';
  signal: AbortSignal;
  onProgress: ((p: Progress) => void) | undefined;
}

/** What the progress display follows: raw bytes read by pack, container bytes read by unpack and verify, input bytes read by process. */
export interface RunLabel {
  operation: 'pack' | 'unpack' | 'verify' | 'process';
  /** In text lines: "packing". */
  label: string;
}

/** Runs the call with progress on stderr (--progress), then prints the report (text or --json). */
export async function withReport<R extends { bytes: number; storedBytes: number; chunks: number; durationMs: number }>(
  args: ParsedArgs,
  ctx: CommandContext,
  run: RunLabel,
  toStdout: boolean,
  call: (common: CommonCliOptions) => Promise<R>,
  text: (report: R) => string,
): Promise<number> {
  await useWorkers(args);
  const settings = resolveProgress(args, ctx.stderr);
  const reporter = progressReporter(run.operation, run.label, settings, ctx.stderr);
  const done = (bytes: number, stored: number): number => (run.operation === 'pack' ? bytes : stored);
  let last: ProgressSample | undefined;
  const onProgress =
    settings.mode === 'none'
      ? undefined
      : (p: Progress): void => {
          last = { bytesDone: done(p.bytes, p.storedBytes), bytesTotal: p.totalBytes, elapsedMs: p.elapsedMs, chunks: p.chunks };
          reporter.update(last);
        };
  let report: R;
  try {
    report = await call({ workers: undefined, resilience: resilience(args), ...backends(args), signal: ctx.signal, onProgress });
  } catch (err) {
    reporter.end(last, failureOf(err));
    throw err;
  }
  const bytesDone = done(report.bytes, report.storedBytes);
  reporter.end({ bytesDone, bytesTotal: last?.bytesTotal ?? bytesDone, elapsedMs: report.durationMs, chunks: report.chunks });
  if (flag(args, 'json')) say(ctx, toStdout, JSON.stringify(report) + '\n');
  else if (!flag(args, 'quiet')) say(ctx, toStdout, text(report));
  return 0;
}

export const COMMON_HELP = `  -w, --workers <n>      worker threads of the engine (default: available parallelism)
      --hash-backend <b>         SHA-256 back end: auto (default), native, node, wasm, wasm-simd
      --lz4-backend <b>          LZ4 back end: auto (default), native, lz4-napi
      --task-timeout <ms>        deadline of one worker task before it is cancelled and retried (default 30000)
      --breaker-patience <ms>    how long to wait for an open circuit breaker to recover before failing (default 5000)
      --inject-faults <spec>     rehearse failure: crash=0.05,error=0.05,stall=0.01 (rates per task attempt)
      --fault-seed <n>           seed for --inject-faults (default 1)
      --json             print the report as JSON (on stderr when -o -); a failure as {"error": {...}}
  -q, --quiet            no report, no progress line
${PROGRESS_HELP}`;


/** --from / --to: the one foreign format pack and unpack convert bit-exact (docs/ML.md). */
export function foreignFormat(args: ParsedArgs, option: 'from' | 'to'): 'safetensors' | undefined {
  const v = str(args, option);
  if (v === undefined) return undefined;
  if (v !== 'safetensors') throw new ValidationError(`--${option}`, `${JSON.stringify(v)} is not a known format (known: safetensors)`);
  return v;
}
