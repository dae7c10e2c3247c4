// convert: many files at once, each into its own container (or back), with a
// manifest, --resume and --shard. See docs/CONVERT.md.
import { convert } from '../../convert/run.js';
import { parseShard } from '../../convert/shard.js';
import { parseBalance } from '../../convert/balance.js';
import { AbortError, BatchIncompleteError, ValidationError } from '../../errors.js';
import { flag, int, JSON_OPTION, QUIET_OPTION, str, useWorkers, WORKERS_OPTION, type Command } from '../command.js';
import { attachReport, failureOf } from '../failure.js';
import { PROGRESS_HELP, PROGRESS_OPTIONS, progressReporter, resolveProgress, type ProgressSample } from '../progress.js';
import { convertText } from '../batch-report.js';

export const convertCommand: Command = {
  name: 'convert',
  usage: 'hivestream convert <input...> --to hvs|raw -o <out-dir> [options]',
  help: `Converts every file under the input folders (and every input file named)
into its own output under <out-dir>, mirroring the relative tree:
  --to hvs   name.ext -> name.ext.hvs (packed); name.hvs -> name.hvs
             (a container, re-encoded with these settings, never unpacked to disk)
  --to raw   name.hvs -> name (unpacked and verified); a container named
             otherwise -> name.raw; in folders only *.hvs files are taken
Each file finished is recorded in a JSON Lines manifest in <out-dir>,
fsynced as the job goes. Symbolic links are followed only to files inside
the input folder; outputs never leave <out-dir>.

Options:
  -o, --output <dir>       output folder (created if missing)
      --to <hvs|raw>       what to produce
      --lz4                compress chunks with LZ4 (--to hvs)
  -c, --chunk-size <n>     chunk size, 4KiB to 64MiB (--to hvs, default 1MiB)
  -j, --concurrency <n>    files in flight at most (default 64)
      --inflight <size>    input bytes in flight at most (default 64MiB; a larger file runs alone)
  -w, --workers <n>        worker threads, shared by every file (default: available parallelism)
      --resume             finish an interrupted job: skip files done with the same size and mtime
      --restart            forget an earlier run in the manifest and convert everything again
      --manifest <file>    manifest path (default <out-dir>/.hivestream-manifest.jsonl,
                           .hivestream-manifest.shard-K-of-N.jsonl with --shard)
      --shard <k/n|auto>   convert only shard k (0-based) of n; auto reads
                           JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, and
                           HIVESTREAM_SHARD_COUNT or SLURM_ARRAY_TASK_COUNT
      --balance <size|path>  how files are split into shards: size (default:
                           nearly equal bytes per shard, from the sizes of the
                           whole tree) or path (a hash of each path: stable
                           when the tree changes, blind to sizes)
      --keep-going         continue past failing files (default: stop starting new ones)
      --fsync              flush every output to disk before renaming it into place, and its folder after
      --json               print the summary as JSON (a failure as {"error": {...}})
  -q, --quiet              no progress line, no summary
${PROGRESS_HELP}

Exit codes: 0 every file converted (or already done), 15 some files failed,
2 bad arguments or settings that differ from the manifest's job,
16 unreadable manifest, 130 interrupted (run again with --resume).`,
  options: {
    output: { type: 'string', short: 'o' },
    to: { type: 'string' },
    lz4: { type: 'boolean' },
    'chunk-size': { type: 'string', short: 'c' },
    concurrency: { type: 'string', short: 'j' },
    inflight: { type: 'string' },
    resume: { type: 'boolean' },
    restart: { type: 'boolean' },
    manifest: { type: 'string' },
    shard: { type: 'string' },
    balance: { type: 'string' },
    'keep-going': { type: 'boolean' },
    fsync: { type: 'boolean' },
    ...WORKERS_OPTION,
    ...JSON_OPTION,
    ...QUIET_OPTION,
    ...PROGRESS_OPTIONS,
  },
  positionals: [1, Number.POSITIVE_INFINITY],
  async run(args, ctx) {
    const to = str(args, 'to');
    if (to !== 'hvs' && to !== 'raw') throw new ValidationError('--to', to === undefined ? 'missing: say --to hvs or --to raw' : `${JSON.stringify(to)} is not hvs or raw`);
    const outDir = str(args, 'output');
    if (outDir === undefined) throw new ValidationError('--output', 'missing: convert needs -o <out-dir>');
    if (to === 'raw' && (flag(args, 'lz4') || str(args, 'chunk-size') !== undefined)) {
      throw new ValidationError('--to', '--lz4 and --chunk-size apply to --to hvs only');
    }
    const shardText = str(args, 'shard');
    const json = flag(args, 'json');
    const quiet = flag(args, 'quiet');
    await useWorkers(args);
    const settings = resolveProgress(args, ctx.stderr);
    const progress = progressReporter('convert', 'converting', settings, ctx.stderr);
    let last: ProgressSample | undefined;
    let report;
    try {
      report = await convert({
        inputs: args.positionals,
        outDir,
        to,
        compression: to === 'hvs' ? (flag(args, 'lz4') ? 'lz4' : 'none') : undefined,
        chunkSize: str(args, 'chunk-size'),
        concurrency: int(args, 'concurrency'),
        inflightBytes: str(args, 'inflight'),
        resume: flag(args, 'resume'),
        restart: flag(args, 'restart'),
        manifest: str(args, 'manifest'),
        shard: shardText === undefined ? undefined : parseShard(shardText),
        balance: parseBalance(str(args, 'balance')),
        keepGoing: flag(args, 'keep-going'),
        durable: flag(args, 'fsync'),
        signal: ctx.signal,
        onEvent:
          settings.mode === 'none'
            ? undefined
            : (e) => {
                last = e.progress;
                progress.update(last);
              },
      });
    } catch (err) {
      progress.end(last, failureOf(err));
      throw err;
    }
    const f = report.files;
    const first = report.failures[0];
    const stopped = f.remaining > 0 ? `; stopped after the first failure (--keep-going continues past failures), ${f.remaining} not started` : '';
    const failure = report.interrupted
      ? new AbortError(`interrupted: ${f.converted} files converted, ${f.remaining} left; run the same command with --resume to finish`)
      : first !== undefined
        ? new BatchIncompleteError(`${f.failed} of ${f.total} files failed${stopped}; first: ${first.input}: ${first.message}`)
        : undefined;
    progress.end(last ?? { bytesDone: 0, bytesTotal: 0, elapsedMs: report.durationMs, filesDone: 0, filesTotal: 0 }, failure === undefined ? undefined : failureOf(failure));
    if (!quiet && !json) ctx.stdout.write(convertText(report));
    if (failure !== undefined) throw json ? attachReport(failure, report) : failure;
    if (json) ctx.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  },
};
