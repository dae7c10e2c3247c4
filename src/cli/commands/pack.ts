// pack: a file or stdin into a container.
import { pack } from '../../api.js';
import { resolveCompression, type Boundary } from '../../options.js';
import { flag, JSON_OPTION, QUIET_OPTION, str, WORKERS_OPTION, type Command } from '../command.js';
import { PROGRESS_OPTIONS } from '../progress.js';
import { COMMON_HELP, foreignFormat, name, output, RESILIENCE_OPTIONS, source, withReport } from '../engine-run.js';
import { ValidationError } from '../../errors.js';
import { packText } from '../report.js';
import { keyFile, SIGN_HELP } from '../keys.js';

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
      --boundary <b>     record-aligned chunks: newline (or a delimiter byte, 0x1e) ends each
                         chunk just after its last delimiter, so no record is split;
                         a record longer than the chunk size is refused (exit 6)
      --fsync            flush the output to disk before renaming it into place, and its folder after
      --from safetensors the input is a safetensors file: its header is checked, and the
                         container is a checkpoint (openCheckpoint; unpack --to safetensors)
${SIGN_HELP}
${COMMON_HELP}`,
  options: {
    output: { type: 'string', short: 'o' },
    from: { type: 'string' },
    'chunk-size': { type: 'string', short: 'c' },
    lz4: { type: 'boolean' },
    boundary: { type: 'string' },
    fsync: { type: 'boolean' },
    sign: { type: 'string' },
    ...WORKERS_OPTION,
    ...JSON_OPTION,
    ...QUIET_OPTION,
    ...RESILIENCE_OPTIONS, ...PROGRESS_OPTIONS,
  },
  positionals: [1, 1],
  async run(args, ctx) {
    const from = args.positionals[0] ?? '-';
    const out = output(args, ctx, 'pack');
    const format = foreignFormat(args, 'from');
    if (format !== undefined && from === '-') throw new ValidationError('--from', 'a safetensors input must be a file (its header is checked before packing)');
    return withReport(args, ctx, { operation: 'pack', label: 'packing' }, out.toStdout, async (common) => {
      const options = {
        ...common,
        chunkSize: str(args, 'chunk-size'),
        compression: resolveCompression(flag(args, 'lz4') ? 'lz4' : 'none'),
        boundary: str(args, 'boundary') as Boundary | undefined,
        durable: flag(args, 'fsync'),
        signingKey: keyFile(args, 'sign'),
      };
      if (format === undefined) return pack(source(from), out.target, options);
      const { packSafetensors } = await import('../../ml/safetensors-io.js');
      return packSafetensors(from, out.target, options);
    },
    (r) => packText(r, name(from), out.name));
  },
};
