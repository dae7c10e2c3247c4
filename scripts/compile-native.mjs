// Compiling the native addon from source with node-gyp, for the install
// script (build-native.mjs) and the prebuild script (prebuild.mjs): one
// place for how node-gyp is found and run, and how a failure is told in one line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

export const ADDON = join('build', 'Release', 'hivestream_native.node');
const LOG = join('build', 'native-build.log');

/**
 * The project's own node-gyp, else npm's bundled one, else whatever is on PATH.
 * @param {string} root
 */
function nodeGyp(root) {
  try {
    return [process.execPath, createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    if (bundled !== undefined && existsSync(bundled)) return [process.execPath, bundled];
    return ['node-gyp'];
  }
}

/** Without a configured nodedir node-gyp downloads headers; use the ones installed beside node. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/**
 * The line of the build output that best says what went wrong.
 * @param {string} output
 * @param {number | null} status
 */
function reason(output, status) {
  const lines = output.split('\n').map((l) => l.trim());
  // Most telling first: a compiler error, a missing tool, gyp's Python exception, make's complaint, node-gyp's.
  const compiler = lines.find((l) => /(^|\s)(fatal )?error:/.test(l) && !l.startsWith('gyp'));
  const missingTool = lines.find((l) => /: (command )?not found$/.test(l));
  const python = lines.find((l) => /^[A-Za-z]+(Error|Exception): /.test(l));
  const make = lines.find((l) => /^make(\[\d+\])?: \*\*\* /.test(l) && !/ Error \d+$/.test(l));
  const gyp = lines.find((l) => /^gyp ERR! (stack )?Error: /.test(l));
  const found = compiler ?? missingTool ?? python ?? make ?? gyp?.replace(/^gyp ERR! (stack )?Error: /, 'node-gyp: ');
  const text = found ?? `node-gyp exited with status ${status}`;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Runs `node-gyp rebuild` in `root` and loads the result once: a module that
 * builds but will not load (wrong ABI, missing symbol) is no better.
 * Returns undefined on success, else why it failed (the full log is kept in
 * build/native-build.log).
 * @param {string} root
 * @returns {string | undefined}
 */
export function compileAddon(root) {
  const [command, ...prefixArgs] = nodeGyp(root);
  const run = spawnSync(command ?? 'node-gyp', [...prefixArgs, 'rebuild', '--jobs=max', ...nodedirArgs()], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error !== undefined) return `cannot run node-gyp: ${run.error.message}`;
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0) {
    mkdirSync(join(root, 'build'), { recursive: true });
    writeFileSync(join(root, LOG), output);
    return `${reason(output, run.status)}; full log in ${LOG}`;
  }
  try {
    createRequire(join(root, 'package.json'))(join(root, ADDON));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return `built but cannot be loaded: ${message.split('\n')[0] ?? ''}`;
  }
  return undefined;
}
