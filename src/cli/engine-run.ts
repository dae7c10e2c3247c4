// What the pack, unpack and verify commands share: the engine options they
// take, where output and reports go, and running with a progress display.
import { ValidationError } from '../errors.js';
import type { Progress } from '../options.js';
import { parseFaults } from '../engine/faults.js';
import type { ResilienceOptions } from '../engine/guard.js';
import type { HashBackendName, Lz4BackendName } from '../engine/backends/kernels.js';
import { flag, int, str, type CommandContext, type ParsedArgs } from './command.js';
import { progressLine } from './progress.js';

export function source(path: string): string | NodeJS.ReadStream {
  return path === '-' ? process.stdin : path;
}

export function output(args: ParsedArgs, ctx: CommandContext, command: string): { target: string | NodeJS.WriteStream; name: string; toStdout: boolean } {
  const o = str(args, 'output');
  if (o === undefined) throw new ValidationError('--output', `missing: ${command} needs -o <file> or -o - for standard output`);
  if (o === '-') {
    if (ctx.stdout.isTTY === true) throw new ValidationError('--output', 'refusing to write binary data to a terminal; redirect standard output or name a file');
    return { target: ctx.stdout, name: 'standard output', toStdout: true };
  }
  return { target: o, name: o, toStdout: false };
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
    taskTimeoutMs: int(args, 'task-timeout'),
    patienceMs: int(args, 'breaker-patience'),
    faults: faults === undefined ? undefined : { ...parseFaults(faults), seed: int(args, 'fault-seed') },
  };
}

export function name(from: string): string {
  return from === '-' ? 'standard input' : from;
}

/** Options every one of these commands passes to the API. */
interface CommonCliOptions {
  workers: number | undefined;
  resilience: ResilienceOptions;
  hashBackend?: HashBackendName | 'auto';
  lz4Backend?: Lz4BackendName | 'auto';
  signal: AbortSignal;
  onProgress: ((p: Progress) => void) | undefined;
}

/** Runs the call with the progress line on, then prints the report (text or --json). */
export async function withReport<R>(
  args: ParsedArgs,
  ctx: CommandContext,
  label: string,
  toStdout: boolean,
  call: (common: CommonCliOptions) => Promise<R>,
  text: (report: R) => string,
): Promise<number> {
  const progress = progressLine(label, ctx.stderr, !flag(args, 'quiet'));
  try {
    const report = await call({ workers: int(args, 'workers'), resilience: resilience(args), ...backends(args), signal: ctx.signal, onProgress: progress.onProgress });
    progress.done();
    if (flag(args, 'json')) say(ctx, toStdout, JSON.stringify(report) + '\n');
    else if (!flag(args, 'quiet')) say(ctx, toStdout, text(report));
    return 0;
  } finally {
    progress.done();
  }
}

export const COMMON_HELP = `  -w, --workers <n>      worker threads (default: available parallelism)
      --hash-backend <b>         SHA-256 back end: auto (default), native, node, wasm, wasm-simd
      --lz4-backend <b>          LZ4 back end: auto (default), native, lz4-napi
      --task-timeout <ms>        deadline of one worker task before it is cancelled and retried (default 30000)
      --breaker-patience <ms>    how long to wait for an open circuit breaker to recover before failing (default 5000)
      --inject-faults <spec>     rehearse failure: crash=0.05,error=0.05,stall=0.01 (rates per task attempt)
      --fault-seed <n>           seed for --inject-faults (default 1)
      --json             print a machine-readable report (on stderr when -o -)
  -q, --quiet            no report, no progress line`;

