// process: the caller's own function on every chunk, in the engine's workers.
import { processStream, processTo, type ProcessOptions, type ProcessToReport } from '../../process/api.js';
import { ValidationError } from '../../errors.js';
import { resolveCompression, type Boundary } from '../../options.js';
import { flag, JSON_OPTION, QUIET_OPTION, str, WORKERS_OPTION, type Command, type CommandContext, type ParsedArgs } from '../command.js';
import { PROGRESS_OPTIONS } from '../progress.js';
import { processText } from '../report.js';
import { COMMON_HELP, name, RESILIENCE_OPTIONS, source, withReport, type CommonCliOptions } from '../engine-run.js';

function params(args: ParsedArgs): unknown {
  const text = str(args, 'params');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ValidationError('--params', `not JSON: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function options(args: ParsedArgs, common: CommonCliOptions): ProcessOptions {
  const module = str(args, 'module');
  if (module === undefined) throw new ValidationError('--module', 'missing: name the module whose function runs on every chunk');
  const input = str(args, 'input');
  return {
    ...common,
    // --task-timeout is the deadline of a task of calls (the functions' signal aborts then).
    resilience: { ...common.resilience, taskTimeoutMs: undefined },
    timeoutMs: common.resilience.taskTimeoutMs,
    module,
    export: str(args, 'export'),
    params: params(args),
    input: input as ProcessOptions['input'],
    chunkSize: str(args, 'chunk-size'),
    boundary: str(args, 'boundary') as Boundary | undefined,
    maxRecordSize: str(args, 'max-record'),
  };
}

/** Without an output: the results are dropped, the report counts them. */
async function drain(from: string, o: ProcessOptions): Promise<ProcessToReport> {
  const it = processStream(source(from), o);
  for (;;) {
    const step = await it.next();
    if (step.done === true) return { ...step.value, output: null };
  }
}

export const processCommand: Command = {
  name: 'process',
  usage: 'hivestream process <input|-> --module <file> [-o <output|->] [options]',
  help: `Runs your function on every chunk of the input in the engine's worker
threads and writes what it returns in chunk order. The module is loaded once
per worker; its export is called as fn(bytes, { sequence, offset, signal,
params }) and may return bytes or a string (written to the output), or
nothing (the chunk is dropped); it may be async. A container input has each
chunk verified before your function sees it. With --boundary newline, raw
chunks end after the last newline within the chunk size: no line is split.
A failure of your function names the chunk and its offset (exit 22).

Options:
  -m, --module <file>      the module (a file path or a file: URL)
  -e, --export <name>      the export to call (default: default)
      --params <json>      JSON handed to every call as params
  -o, --output <path|->    write the results here ('-' for standard output); without it they are dropped
      --pack               write the output as a container of the results (with --lz4 and --boundary)
      --lz4                with --pack: compress the output's chunks with LZ4
  -c, --chunk-size <n>     raw input: chunk size, 4KiB to 64MiB (default 1MiB)
      --boundary <b>       raw input: none (default), newline, or a delimiter byte (0x1e); a container must have been packed with it
      --max-record <n>     with --boundary: the longest record that gets a chunk of its own (default 64MiB)
      --input <kind>       auto (default: a container if it starts with Avro's magic bytes), raw or container
      --fsync              flush the output to disk before renaming it into place
${COMMON_HELP}`,
  options: {
    module: { type: 'string', short: 'm' },
    export: { type: 'string', short: 'e' },
    params: { type: 'string' },
    output: { type: 'string', short: 'o' },
    pack: { type: 'boolean' },
    lz4: { type: 'boolean' },
    'chunk-size': { type: 'string', short: 'c' },
    boundary: { type: 'string' },
    'max-record': { type: 'string' },
    input: { type: 'string' },
    fsync: { type: 'boolean' },
    ...WORKERS_OPTION,
    ...JSON_OPTION,
    ...QUIET_OPTION,
    ...RESILIENCE_OPTIONS,
    ...PROGRESS_OPTIONS,
  },
  positionals: [1, 1],
  async run(args: ParsedArgs, ctx: CommandContext) {
    const from = args.positionals[0] ?? '-';
    const out = str(args, 'output');
    const toStdout = out === '-';
    if (toStdout && ctx.stdout.isTTY === true && flag(args, 'pack')) throw new ValidationError('--output', 'refusing to write a container to a terminal; redirect standard output or name a file');
    if (out === undefined && (flag(args, 'pack') || flag(args, 'lz4'))) throw new ValidationError('--output', '--pack and --lz4 need -o <file> or -o -');
    if (flag(args, 'lz4') && !flag(args, 'pack')) throw new ValidationError('--lz4', 'compresses the output container: add --pack');
    const target = toStdout ? ctx.stdout : out;
    return withReport(
      args,
      ctx,
      { operation: 'process', label: 'processing' },
      toStdout,
      (common) => {
        const o = options(args, common);
        if (target === undefined) return drain(from, o);
        if (!flag(args, 'pack')) return processTo(source(from), target, { ...o, durable: flag(args, 'fsync') });
        const packOptions = { chunkSize: o.chunkSize, boundary: o.boundary, compression: resolveCompression(flag(args, 'lz4') ? 'lz4' : 'none'), durable: flag(args, 'fsync'), workers: o.workers };
        return processTo(source(from), { pack: target, options: packOptions }, o);
      },
      (r) => processText(r, name(from), toStdout ? 'standard output' : out),
    );
  },
};
