// manifest merge: joins the manifests of a sharded convert job.
import { mergeManifests } from '../../convert/merge.js';
import { BatchIncompleteError } from '../../errors.js';
import { UsageError, flag, JSON_OPTION, str, type Command } from '../command.js';
import { mergeText } from '../batch-report.js';
import { attachReport } from '../failure.js';

export const manifestCommand: Command = {
  name: 'manifest',
  usage: 'hivestream manifest merge <manifest...> [-o merged.jsonl] [--expect <input-dir>] [--json]',
  help: `Joins the manifests that the shards of one convert job wrote, checks that
every shard is there, that the shards planned the same file list, that no
file was done by two shards and that every file of the job is accounted
for, and lists files that failed. With -o, writes the merged manifest (the
manifest of the whole job, one line per file). Exit code 0 only when the
job is complete; 15 when anything is missing, failed or done twice.

Options:
  -o, --output <file>      write the merged manifest here
      --expect <dir>       the job's input folder: name the missing files
                           (without it, only their number is known)
      --json               print the report as JSON (when incomplete: inside
                           {"error": {..., "report": {...}}})`,
  options: { output: { type: 'string', short: 'o' }, expect: { type: 'string' }, ...JSON_OPTION },
  positionals: [2, Number.POSITIVE_INFINITY],
  async run(args, ctx) {
    const [sub, ...manifests] = args.positionals;
    if (sub !== 'merge') throw new UsageError('manifest', `unknown subcommand ${JSON.stringify(sub)}; the subcommand is merge`);
    const report = await mergeManifests({ manifests, expect: str(args, 'expect'), output: str(args, 'output') });
    const json = flag(args, 'json');
    if (!json) ctx.stdout.write(mergeText(report));
    if (!report.ok) {
      const f = report.files;
      const parts = [
        ...report.problems.slice(0, 1),
        f.missing > 0 ? `${f.missing} missing` : '',
        f.failed > 0 ? `${f.failed} failed` : '',
        f.duplicated > 0 ? `${f.duplicated} done twice` : '',
      ].filter((p) => p !== '');
      const failure = new BatchIncompleteError(`the job is incomplete: ${parts.join(', ')}`);
      throw json ? attachReport(failure, report) : failure;
    }
    if (json) ctx.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  },
};
