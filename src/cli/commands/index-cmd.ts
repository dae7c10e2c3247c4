// index command: a record index for a dataset container that has none.
import { buildIndex } from '../../ml/index-build.js';
import { flag, JSON_OPTION, QUIET_OPTION, str, WORKERS_OPTION, int, type Command } from '../command.js';

export const indexCommand: Command = {
  name: 'index',
  usage: 'hivestream index <dataset.hvs> [-o <output>] [options]',
  help: `Gives a dataset container (training-records/1 or /2) a record index, so
that readers can fetch record i by reading one chunk (dataset.get(i)) and
shuffle the whole epoch. The records are read back verified and written
again, followed by the index; the file is replaced atomically (or written
to -o). A container that has an index already is left as it is.

Options:
  -o, --output <path>    write the indexed container here instead
  -w, --workers <n>      worker threads (default: available parallelism)
      --json             print the report as JSON
  -q, --quiet            no report`,
  options: { output: { type: 'string', short: 'o' }, ...WORKERS_OPTION, ...JSON_OPTION, ...QUIET_OPTION },
  positionals: [1, 1],
  async run(args, ctx) {
    const path = args.positionals[0] ?? '';
    const out = str(args, 'output') ?? path;
    const report = await buildIndex(path, out, { workers: int(args, 'workers'), signal: ctx.signal });
    if (flag(args, 'json')) ctx.stdout.write(JSON.stringify(report) + '\n');
    else if (!flag(args, 'quiet')) {
      ctx.stdout.write(report.written ? `${out}: indexed ${report.records} records in ${report.chunks} chunks (root ${report.rootDigest.slice(0, 16)}…)\n` : `${path}: has a record index already; nothing written\n`);
    }
    return 0;
  },
};
