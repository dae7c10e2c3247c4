// The caller's module, named by a path or a file: URL, resolved on the main
// thread to the URL every worker imports: a missing file is a clear error
// here, before a worker or any data is involved.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ValidationError } from '../errors.js';

/** The file: URL of the caller's module. */
export function resolveModule(spec: string | URL | undefined): string {
  if (spec === undefined || spec === '') throw new ValidationError('module', 'missing: name the module (a file path or a file: URL) that exports the function');
  let url: URL;
  if (spec instanceof URL) url = spec;
  else if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec)) {
    try {
      url = new URL(spec);
    } catch (cause) {
      throw new ValidationError('module', `${JSON.stringify(spec)} is not a URL`, { cause });
    }
  } else url = pathToFileURL(resolve(spec));
  if (url.protocol !== 'file:') throw new ValidationError('module', `${url.protocol} URLs are not supported: name a file path or a file: URL`);
  const path = fileURLToPath(url);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (cause) {
    throw new ValidationError('module', `cannot load ${path}: no such file`, { cause });
  }
  if (!isFile) throw new ValidationError('module', `cannot load ${path}: not a file`);
  return url.href;
}

/** The export to call: a JavaScript identifier, or 'default'. */
export function resolveExport(name: string | undefined): string {
  const n = name ?? 'default';
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(n)) throw new ValidationError('export', `${JSON.stringify(n)} is not an export name`);
  return n;
}
