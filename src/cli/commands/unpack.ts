// unpack: a container back into the original bytes, every chunk verified.
import { unpack } from '../../api.js';
import { flag, JSON_OPTION, QUIET_OPTION, WORKERS_OPTION, type Command } from '../command.js';
import { PROGRESS_OPTIONS } from '../progress.js';
import { COMMON_HELP, foreignFormat, name, output, RESILIENCE_OPTIONS, source, withReport } from '../engine-run.js';
import { ValidationError } from '../../errors.js';
import { unpackText } from '../report.js';
import { keyFile, KEY_HELP } from '../keys.js';

export const unpackCommand: Command = {
  name: 'unpack',
  usage: 'hivestream unpack <container|-> -o <output|-> [options]',
  help: `Decodes, decompresses and verifies every chunk in parallel and writes the
original bytes in order. Any mismatch fails the run with the chunk and byte
offset named, and a file output is removed.

Options:
  -o, --output <path|->  file to restore into ('-' for standard output)
      --fsync            flush the output to disk before renaming it into place, and its folder after
      --to safetensors   the container must be a checkpoint; its tensor directory is checked
                         first, and the output is the safetensors file it was packed from
${KEY_HELP}
${COMMON_HELP}`,
  options: { output: { type: 'string', short: 'o' }, to: { type: 'string' }, fsync: { type: 'boolean' }, key: { type: 'string' }, ...WORKERS_OPTION, ...JSON_OPTION, ...QUIET_OPTION, ...RESILIENCE_OPTIONS, ...PROGRESS_OPTIONS },
  positionals: [1, 1],
  async run(args, ctx) {
    const from = args.positionals[0] ?? '-';
    const out = output(args, ctx, 'unpack');
    const format = foreignFormat(args, 'to');
    if (format !== undefined && from === '-') throw new ValidationError('--to', 'a checkpoint to restore as safetensors must be a file (its directory is checked first)');
    return withReport(args, ctx, { operation: 'unpack', label: 'unpacking' }, out.toStdout, async (common) => {
      const options = { ...common, durable: flag(args, 'fsync'), publicKey: keyFile(args, 'key') };
      if (format === undefined) return unpack(source(from), out.target, options);
      const { unpackSafetensors } = await import('../../ml/safetensors-io.js');
      return unpackSafetensors(from, out.target, options);
    }, (r) => unpackText(r, name(from), out.name));
  },
};
