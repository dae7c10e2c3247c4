// inspect command.
import { inspect } from '../../api.js';
import { flag, JSON_OPTION, type Command } from '../command.js';
import { inspectText } from '../report.js';

export const inspectCommand: Command = {
  name: 'inspect',
  usage: 'hivestream inspect <container|-> [--json]',
  help: `Reads the header and every record's fields without verifying digests (use
verify for that). An incomplete container is reported as such.

Options:
      --json             print the report as JSON`,
  options: { ...JSON_OPTION },
  positionals: [1, 1],
  async run(args, ctx) {
    const from = args.positionals[0] ?? '-';
    const report = await inspect(from === '-' ? process.stdin : from);
    ctx.stdout.write(flag(args, 'json') ? JSON.stringify(report) + '\n' : inspectText(report, from === '-' ? 'standard input' : from));
    return report.complete ? 0 : 5;
  },
};
