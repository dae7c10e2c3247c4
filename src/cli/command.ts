// What a CLI command is, and argument parsing shared by all of them.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValidationError } from '../errors.js';
import { parseSize } from '../options.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  signal: AbortSignal;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface Command {
  name: string;
  /** Usage text shown by --help (after the "usage:" line). */
  help: string;
  usage: string;
  options: OptionSpec;
  /** Positional arguments: min and max. */
  positionals: [number, number];
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export class UsageError extends ValidationError {
  constructor(
    readonly command: string,
    reason: string,
  ) {
    super('arguments', reason);
    this.message = `${reason} (see 'hivestream ${command} --help')`;
  }
}

export function parse(cmd: Command, argv: string[]): ParsedArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...cmd.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(cmd.name, err instanceof Error ? err.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments');
  }
  if (parsed.values.help === true) return 'help';
  const [min, max] = cmd.positionals;
  if (parsed.positionals.length < min) throw new UsageError(cmd.name, `missing argument: usage: ${cmd.usage}`);
  if (parsed.positionals.length > max) throw new UsageError(cmd.name, `unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
  const values: Record<string, string | boolean | undefined> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    values[k] = Array.isArray(v) ? String(v[v.length - 1]) : v;
  }
  return { values, positionals: parsed.positionals };
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function int(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new ValidationError(`--${name}`, `${JSON.stringify(v)} is not a whole number (0 to ${Number.MAX_SAFE_INTEGER})`);
  return Number(v);
}

/** A duration in whole milliseconds, at least 1 (any length: long waits are chained). */
export function millis(args: ParsedArgs, name: string): number | undefined {
  const n = int(args, name);
  if (n === undefined) return undefined;
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError(`--${name}`, `${str(args, name) ?? ''} is not a whole number of milliseconds from 1 to ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

export function size(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  return v === undefined ? undefined : parseSize(v, `--${name}`);
}

export const WORKERS_OPTION: OptionSpec = { workers: { type: 'string', short: 'w' } };

/** `--workers N`: the engine's thread count for this process (its one command). */
export async function useWorkers(args: ParsedArgs): Promise<void> {
  const threads = int(args, 'workers');
  if (threads === undefined) return;
  if (threads < 1 || threads > 256) throw new ValidationError('--workers', `${threads} is not a whole number from 1 to 256`);
  const { configureEngine } = await import('../engine/main/process-engine.js');
  await configureEngine({ threads });
}
export const JSON_OPTION: OptionSpec = { json: { type: 'boolean' } };
export const QUIET_OPTION: OptionSpec = { quiet: { type: 'boolean', short: 'q' } };
