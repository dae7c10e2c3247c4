// Every exported error class has its own `code` and its own exit code (one
// documented sharing), and the README's exit-code table, like every other
// place in the docs that pairs an error with an exit code, says the same.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../dist/index.js';
import { HiveError, InputError, ValidationError, type HiveErrorCode } from '../dist/index.js';
import { ROOT } from './helpers/fixtures.js';

/** Exported bases that are never thrown as such. */
const ABSTRACT = new Set(['InputError', 'ResilienceError']);
/** Constructors that need real arguments to build a message. */
const SAMPLE_ARGS: Record<string, unknown[]> = {
  ChecksumMismatchError: [0, 0, 'aa', 'bb'],
  CorruptRecordsError: [0, 0, [0]],
};
/**
 * Exit codes deliberately shared, with why: a dataset record in a corrupt
 * chunk is the checksum failure seen from the records, so the CLI reports it
 * the same way.
 */
const SHARED_EXIT_CODES = new Map([[4, ['ChecksumMismatchError', 'CorruptRecordsError']]]);

interface Row {
  name: string;
  code: string;
  exitCode: number;
}

const instances = new Map<string, HiveError>();

type ErrorClass = new (...args: unknown[]) => HiveError;

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof Error;
}

function exportedErrors(): Row[] {
  const rows: Row[] = [];
  for (const [name, value] of Object.entries(api)) {
    if (!isErrorClass(value)) continue;
    if (ABSTRACT.has(name)) continue;
    const err = new (value as ErrorClass)(...(SAMPLE_ARGS[name] ?? []));
    expect(err, name).toBeInstanceOf(HiveError);
    expect(err.name, name).toBe(name);
    instances.set(name, err);
    rows.push({ name, code: err.code, exitCode: err.exitCode });
  }
  return rows.sort((a, b) => a.exitCode - b.exitCode || a.name.localeCompare(b.name));
}

function readmeTable(): Row[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('### Exit codes'));
  const rows: Row[] = [];
  for (const m of table.matchAll(/^\| (\d+) \| `(\w+)` \(`(E_\w+)`\) \|/gm)) {
    rows.push({ exitCode: Number(m[1]), name: m[2] ?? '', code: m[3] ?? '' });
  }
  return rows.sort((a, b) => a.exitCode - b.exitCode || a.name.localeCompare(b.name));
}

describe('error codes and exit codes', () => {
  const rows = exportedErrors();

  it('finds every error class the package exports', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['HiveError', 'ValidationError', 'AbortError', 'DtypeMismatchError']));
  });

  it('gives every class its own code', () => {
    const codes = rows.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('gives every class its own exit code, but for the documented sharing', () => {
    const byExit = new Map<number, string[]>();
    for (const r of rows) byExit.set(r.exitCode, [...(byExit.get(r.exitCode) ?? []), r.name]);
    for (const [exit, names] of byExit) {
      if (names.length > 1) expect(names.sort(), `exit ${exit}`).toEqual(SHARED_EXIT_CODES.get(exit));
    }
  });

  it('matches the README table row for row', () => {
    expect(readmeTable()).toEqual(rows);
  });

  it('lists the bad-input exit codes the README names, and only those are InputErrors', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    // "Bad-input errors (2 to 6, 12, 17, 18) are `InputError`s."
    const list = /Bad-input errors \(([\d, to]+)\) are `InputError`s/.exec(readme)?.[1] ?? '';
    const documented = new Set<number>();
    for (const part of list.split(', ')) {
      const [from, to = from] = part.split(' to ').map(Number);
      for (let c = Number(from); c <= Number(to); c++) documented.add(c);
    }
    const input = new Set<number>();
    for (const r of rows) if (instances.get(r.name) instanceof InputError) input.add(r.exitCode);
    expect([...documented].sort((a, b) => a - b)).toEqual([...input].sort((a, b) => a - b));
    expect(input.has(2)).toBe(true);
  });

  it('agrees with every code/exit-code pair named in docs/', () => {
    const exitOf = new Map<string, number>();
    for (const r of rows) {
      exitOf.set(r.code, r.exitCode);
      exitOf.set(r.name, r.exitCode);
    }
    const claims: Array<[string, number, string]> = [];
    const dir = join(ROOT, 'docs');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(dir, file), 'utf8').replace(/\s+/g, ' ');
      // "(`E_MANIFEST`, exit 16)", "`E_BACKEND_UNAVAILABLE`, exit code 14"
      for (const m of text.matchAll(/`(E_[A-Z_]+)`,? exit(?: code)? (\d+)/g)) claims.push([m[1] ?? '', Number(m[2]), file]);
      // "15 (`E_BATCH_INCOMPLETE`)"
      for (const m of text.matchAll(/\b(\d+) \(`(E_[A-Z_]+)`\)/g)) claims.push([m[2] ?? '', Number(m[1]), file]);
      // table rows "| `FormatError {…}` | 3 |"
      for (const m of text.matchAll(/`(\w+Error)\b[^`|]*` \| (\d+) \|/g)) claims.push([m[1] ?? '', Number(m[2]), file]);
    }
    expect(claims.length).toBeGreaterThanOrEqual(6);
    for (const [what, exit, file] of claims) expect(exitOf.get(what), `${what} in docs/${file}`).toBe(exit);
  });

  it('types `code` as the union of the codes', () => {
    const err: HiveError = new ValidationError('x', 'bad');
    const code: HiveErrorCode = err.code;
    // @ts-expect-error a misspelt code does not compile
    expect(err.code === 'E_VALIDATON').toBe(false);
    expect(code).toBe('E_VALIDATION');
  });
});
