// clean: removes the temporary outputs (.partial files) that writers killed
// with SIGKILL, or crashed, left behind.
import { cleanPartials } from '../../io/stale-partials.js';
import { flag, JSON_OPTION, type Command } from '../command.js';

export const cleanCommand: Command = {
  name: 'clean',
  usage: 'hivestream clean <folder...> [--dry-run] [--no-recursive] [--json]',
  help: `Removes stale temporary outputs from the folders (and the folders below
them): files named .<name>.<host>-<pid>-<start>-<random>.partial whose
writer is gone (no such process on this host, or its pid now belongs to a
process that started at another time). A partial whose writer still runs is
kept, and so is one written on another host (its writer cannot be checked
from here). Links are never followed. Nothing else is touched.

Options:
      --dry-run          list what would be removed, remove nothing
      --no-recursive     only the folders named, not the ones below
      --json             print the report as JSON`,
  options: { 'dry-run': { type: 'boolean' }, 'no-recursive': { type: 'boolean' }, ...JSON_OPTION },
  positionals: [1, Number.POSITIVE_INFINITY],
  async run(args, ctx) {
    const report = await cleanPartials(args.positionals, { recursive: !flag(args, 'no-recursive'), dryRun: flag(args, 'dry-run') });
    if (flag(args, 'json')) {
      ctx.stdout.write(JSON.stringify({ operation: 'clean', ...report }) + '\n');
      return 0;
    }
    const verb = flag(args, 'dry-run') ? 'would remove' : 'removed';
    const lines = [
      ...report.removed.map((p) => `${verb} ${p}`),
      `${verb} ${report.removed.length} stale partial file(s); kept ${report.live.length} being written${report.otherHost.length > 0 ? ` and ${report.otherHost.length} from another host` : ''}`,
    ];
    ctx.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
