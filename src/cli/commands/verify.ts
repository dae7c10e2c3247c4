// verify: every check of unpack, writing nothing.
import { verify } from '../../api.js';
import { JSON_OPTION, QUIET_OPTION, WORKERS_OPTION, type Command } from '../command.js';
import { PROGRESS_OPTIONS } from '../progress.js';
import { COMMON_HELP, name, RESILIENCE_OPTIONS, source, withReport } from '../engine-run.js';
import { unpackText } from '../report.js';
import { keyFile, KEY_HELP } from '../keys.js';

export const verifyCommand: Command = {
  name: 'verify',
  usage: 'hivestream verify <container|-> [options]',
  help: `Reads the whole container and checks each chunk's SHA-256, the sequence and
offsets, the final flag, the root digest and the header digest; writes nothing.
Exit code 0 only when everything matches.

Options:
${KEY_HELP}
${COMMON_HELP}`,
  options: { key: { type: 'string' }, ...WORKERS_OPTION, ...JSON_OPTION, ...QUIET_OPTION, ...RESILIENCE_OPTIONS, ...PROGRESS_OPTIONS },
  positionals: [1, 1],
  async run(args, ctx) {
    const from = args.positionals[0] ?? '-';
    return withReport(args, ctx, { operation: 'verify', label: 'verifying' }, false, (common) => verify(source(from), { ...common, publicKey: keyFile(args, 'key') }), (r) => unpackText(r, name(from), undefined));
  },
};
