// pack, unpack and verify commands.
import { pack, unpack, verify } from '../../api.js';
import { ValidationError } from '../../errors.js';
import { resolveCompression, type Progress } from '../../options.js';
import { parseFaults } from '../../engine/main/faults.js';
import type { ResilienceOptions } from '../../engine/main/task-guard.js';
import type { HashBackendName, Lz4BackendName } from '../../engine/backends/kernels.js';
import { flag, int, JSON_OPTION, QUIET_OPTION, str, useWorkers, WORKERS_OPTION, type Command, type CommandContext, type ParsedArgs } from '../command.js';
import { progressLine } from '../progress.js';
import { packText, unpackText } from '../report.js';

function source(path: string): string | NodeJS.ReadStream {
  return path === '-' ? process.stdin : path;
}

function output(args: ParsedArgs, ctx: CommandContext, command: string): { target: string | NodeJS.WriteStream; name: string; toStdout: boolean } {
  const o = str(args, 'output');
  if (o === undefined) throw new ValidationError('--output', `missing: ${command} needs -o <file> or -o - for standard output`);
  if (o === '-') {
    if (ctx.stdout.isTTY === true) throw new ValidationError('--output', 'refusing to write binary data to a terminal; redirect standard output or name a file');
    return { target: ctx.stdout, name: 'standard output', toStdout: true };
  }
  return { target: o, name: o, toStdout: false };
}

/** Reports go to stdout, unless stdout carries the data. */
function say(ctx: CommandContext, toStdout: boolean, text: string): void {
  (toStdout ? ctx.stderr : ctx.stdout).write(text);
}

/** Resilience flags shared by pack, unpack and verify. */
const RESILIENCE_OPTIONS = {
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

/** --from / --to: the one foreign format these commands convert bit-exact (docs/ML.md). */
function foreignFormat(args: ParsedArgs, option: 'from' | 'to'): 'safetensors' | undefined {
  const v = str(args, option);
  if (v === undefined) return undefined;
  if (v !== 'safetensors') throw new ValidationError(`--${option}`, `${JSON.stringify(v)} is not a known format (known: safetensors)`);
  return v;
}

function name(from: string): string {
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
async function withReport<R>(
  args: ParsedArgs,
  ctx: CommandContext,
  label: string,
  toStdout: boolean,
  call: (common: CommonCliOptions) => Promise<R>,
  text: (report: R) => string,
): Promise<number> {
  await useWorkers(args);
  const progress = progressLine(label, ctx.stderr, !flag(args, 'quiet'));
  try {
    const report = await call({ workers: undefined, resilience: resilience(args), ...backends(args), signal: ctx.signal, onProgress: progress.onProgress });
    progress.done();
    if (flag(args, 'json')) say(ctx, toStdout, JSON.stringify(report) + '\n');
    else if (!flag(args, 'quiet')) say(ctx, toStdout, text(report));
    return 0;
  } finally {
    progress.done();
  }
}

const COMMON_HELP = `  -w, --workers <n>      worker threads of the engine (default: available parallelism)
      --hash-backend <b>         SHA-256 back end: auto (default), native, node, wasm, wasm-simd
      --lz4-backend <b>          LZ4 back end: auto (default), native, lz4-napi
      --task-timeout <ms>        deadline of one worker task before it is cancelled and retried (default 30000)
      --breaker-patience <ms>    how long to wait for an open circuit breaker to recover before failing (default 5000)
      --inject-faults <spec>     rehearse failure: crash=0.05,error=0.05,stall=0.01 (rates per task attempt)
      --fault-seed <n>           seed for --inject-faults (default 1)
      --json             print a machine-readable report (on stderr when -o -)
  -q, --quiet            no report, no progress line`;

export const packCommand: Command = {
  name: 'pack',
  usage: 'hivestream pack <input|-> -o <output|-> [options]',
  help: `Splits the input into fixed-size chunks, hashes each with SHA-256 (and
compresses it with LZ4 when asked) on a worker pool, and writes an Avro
container. A file output is written under a temporary name and renamed
into place only when complete.

Options:
  -o, --output <path|->  container to write ('-' for standard output)
  -c, --chunk-size <n>   chunk size: 64KiB, 1MiB, ... (4 KiB to 64 MiB, default 1MiB)
      --lz4              compress chunks with LZ4 (chunks LZ4 would not shrink stay raw)
      --fsync            flush the output to disk before renaming it into place
      --from safetensors the input is a safetensors file: its header is checked, and the
                         container is a checkpoint (openCheckpoint; unpack --to safetensors)
${COMMON_HELP}`,
  options: {
    output: { type: 'string', short: 'o' },
    from: { type: 'string' },
    'chunk-size': { type: 'string', short: 'c' },
    lz4: { type: 'boolean' },
    fsync: { type: 'boolean' },
    ...WORKERS_OPTION,
    ...JSON_OPTION,
    ...QUIET_OPTION,
    ...RESILIENCE_OPTIONS,
  },
  positionals: [1, 1],
  async run(args, ctx) {
    const from = args.positionals[0] ?? '-';
    const out = output(args, ctx, 'pack');
    const format = foreignFormat(args, 'from');
    if (format !== undefined && from === '-') throw new ValidationError('--from', 'a safetensors input must be a file (its header is checked before packing)');
    return withReport(args, ctx, 'packing', out.toStdout, async (common) => {
      const options = {
        ...common,
        chunkSize: str(args, 'chunk-size'),
        compression: resolveCompression(flag(args, 'lz4') ? 'lz4' : 'none'),
        durable: flag(args, 'fsync'),
      };
      if (format === undefined) return pack(source(from), out.target, options);
      const { packSafetensors } = await import('../../ml/safetensors-io.js');
      return packSafetensors(from, out.target, options);
    },
    (r) => packText(r, name(from), out.name));
  },
};

export const unpackCommand: Command = {
  name: 'unpack',
  usage: 'hivestream unpack <container|-> -o <output|-> [options]',
  help: `Decodes, decompresses and verifies every chunk in parallel and writes the
original bytes in order. Any mismatch fails the run with the chunk and byte
offset named, and a file output is removed.

Options:
  -o, --output <path|->  file to restore into ('-' for standard output)
      --fsync            flush the output to disk before renaming it into place
      --to safetensors   the container must be a checkpoint; its tensor directory is checked
                         first, and the output is the safetensors file it was packed from
${COMMON_HELP}`,
  options: { output: { type: 'string', short: 'o' }, to: { type: 'string' }, fsync: { type: 'boolean' }, ...WORKERS_OPTION, ...JSON_OPTION, ...QUIET_OPTION, ...RESILIENCE_OPTIONS },
  positionals: [1, 1],
  async run(args, ctx) {
    const from = args.positionals[0] ?? '-';
    const out = output(args, ctx, 'unpack');
    const format = foreignFormat(args, 'to');
    if (format !== undefined && from === '-') throw new ValidationError('--to', 'a checkpoint to restore as safetensors must be a file (its directory is checked first)');
    return withReport(args, ctx, 'unpacking', out.toStdout, async (common) => {
      const options = { ...common, durable: flag(args, 'fsync') };
      if (format === undefined) return unpack(source(from), out.target, options);
      const { unpackSafetensors } = await import('../../ml/safetensors-io.js');
      return unpackSafetensors(from, out.target, options);
    }, (r) =>
      unpackText(r, name(from), out.name),
    );
  },
};

export const verifyCommand: Command = {
  name: 'verify',
  usage: 'hivestream verify <container|-> [options]',
  help: `Reads the whole container and checks each chunk's SHA-256, the sequence and
offsets, the final flag, the root digest and the header digest; writes nothing.
Exit code 0 only when everything matches.

Options:
${COMMON_HELP}`,
  options: { ...WORKERS_OPTION, ...JSON_OPTION, ...QUIET_OPTION, ...RESILIENCE_OPTIONS },
  positionals: [1, 1],
  async run(args, ctx) {
    const from = args.positionals[0] ?? '-';
    return withReport(args, ctx, 'verifying', false, (common) => verify(source(from), common), (r) => unpackText(r, name(from), undefined));
  },
};
