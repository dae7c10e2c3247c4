// Arguments shared by the baseline programs: FILE [--lz4] [--chunk-size N] [--workers N].
import { parseArgs } from 'node:util';
import { ValidationError } from '../../errors.js';
import { resolveChunkSize, resolveWorkers } from '../../options.js';

export interface BaselineArgs {
  file: string;
  lz4: boolean;
  chunkSize: number;
  workers: number;
}

export function baselineArgs(argv: string[]): BaselineArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { lz4: { type: 'boolean' }, 'chunk-size': { type: 'string' }, workers: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new ValidationError('arguments', 'usage: FILE [--lz4] [--chunk-size N] [--workers N]');
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  return { file, lz4: values.lz4 === true, chunkSize: resolveChunkSize(values['chunk-size']), workers: resolveWorkers(workers) };
}

/** Runs a baseline's main: its JSON report on stdout, or one error line on stderr. */
export async function runBaseline(name: string, main: (a: BaselineArgs) => Promise<object>): Promise<void> {
  try {
    const report = await main(baselineArgs(process.argv.slice(2)));
    process.stdout.write(JSON.stringify(report) + '\n');
  } catch (err) {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
