// gen: seeded sample data of any size (the benchmark's inputs), streamed.
import { generate } from '../../datagen/generate.js';
import { PROFILES, type Profile } from '../../util/profiles.js';
import { AbortError, ValidationError } from '../../errors.js';
import { openSink, type Sink } from '../../io/sink.js';
import { flag, int, JSON_OPTION, size, str, type Command, type CommandContext, type ParsedArgs } from '../command.js';
import { writeTree } from '../../datagen/tree.js';

export const genCommand: Command = {
  name: 'gen',
  usage: 'hivestream gen --size <n> [--profile mixed] [--seed 1] -o <file|->\n       hivestream gen --files <n> --min-size <n> --max-size <n> [--profile text] [--seed 1] -o <dir>',
  help: `Writes deterministic sample data: the same profile, size and seed give the
same bytes on every machine. Memory stays at one 1 MiB block whatever the
size. A file output appears only when complete.

Profiles: text (JSON Lines records, LZ4-compressible), tensor (float32
arrays, barely compressible), random (incompressible), mixed (per 1 MiB
block: half text, three tenths tensor, one fifth random).

With --files, writes a tree of that many files into the folder instead
(folders of 100, sizes uniform in [--min-size, --max-size], each file its
own seed): the input of the batch-conversion benchmark.

Options:
  -o, --output <path|->  where to write ('-' for standard output; a folder with --files)
      --size <n>         bytes: 1GiB, 256MiB, 100000, ...
      --files <n>        write a tree of n files (with --min-size and --max-size)
      --profile <name>   ${PROFILES.join(' | ')} (default mixed)
      --seed <n>         generator seed (default 1)
      --json             print what was written as JSON (on stderr when -o -)`,
  options: {
    output: { type: 'string', short: 'o' },
    size: { type: 'string' },
    files: { type: 'string' },
    'min-size': { type: 'string' },
    'max-size': { type: 'string' },
    profile: { type: 'string' },
    seed: { type: 'string' },
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  async run(args, ctx) {
    const files = int(args, 'files');
    if (files !== undefined) return tree(args, ctx, files);
    const bytes = size(args, 'size');
    if (bytes === undefined) throw new ValidationError('--size', 'missing: gen needs --size <n>');
    const o = str(args, 'output');
    if (o === undefined) throw new ValidationError('--output', 'missing: gen needs -o <file> or -o - for standard output');
    if (o === '-' && ctx.stdout.isTTY === true) throw new ValidationError('--output', 'refusing to write binary data to a terminal; redirect standard output or name a file');
    const profile = (str(args, 'profile') ?? 'mixed') as Profile;
    const seed = int(args, 'seed') ?? 1;
    const blocks = generate({ profile, size: bytes, seed });
    // The first block is made before the output is opened: the options are checked then.
    const first = blocks.next();
    const sink: Sink = await openSink(o === '-' ? ctx.stdout : o);
    try {
      const batch: Uint8Array[] = first.done === true ? [] : [first.value];
      for (const block of blocks) {
        if (ctx.signal.aborted) throw new AbortError('interrupted', { cause: ctx.signal.reason });
        batch.push(block);
        if (batch.length >= 8) await sink.write(batch.splice(0));
      }
      if (batch.length > 0) await sink.write(batch);
      await sink.commit();
    } catch (err) {
      await sink.abort(err);
      throw err;
    }
    if (flag(args, 'json')) (o === '-' ? ctx.stderr : ctx.stdout).write(JSON.stringify({ operation: 'gen', output: o === '-' ? null : o, bytes, profile, seed }) + '\n');
    return 0;
  },
};

async function tree(args: ParsedArgs, ctx: CommandContext, files: number): Promise<number> {
  const dir = str(args, 'output');
  if (dir === undefined || dir === '-') throw new ValidationError('--output', 'gen --files needs -o <folder>');
  const minSize = size(args, 'min-size');
  const maxSize = size(args, 'max-size');
  if (minSize === undefined || maxSize === undefined) throw new ValidationError('--min-size', 'gen --files needs --min-size and --max-size');
  const profile = (str(args, 'profile') ?? 'text') as Profile;
  if (!PROFILES.includes(profile)) throw new ValidationError('--profile', `${profile} is not one of ${PROFILES.join(', ')}`);
  const seed = int(args, 'seed') ?? 1;
  const summary = await writeTree(dir, { files, minSize, maxSize, profile, seed });
  if (flag(args, 'json')) ctx.stdout.write(JSON.stringify({ operation: 'gen', output: dir, ...summary, profile, seed }) + '\n');
  return 0;
}
