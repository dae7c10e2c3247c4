#!/usr/bin/env node
// Install step: builds the optional native addon (build/Release/hivestream_native.node).
// A failed build must never fail `npm install`: the engine then uses its
// portable back ends, and this script says so, and why, in one line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join('build', 'Release', 'hivestream_native.node');
const log = join('build', 'native-build.log');

/** @param {string} why */
function unavailable(why) {
  console.log(`hivestream: native addon unavailable (${why}); portable SHA-256/LZ4 back ends will be used`);
  process.exit(0);
}

/** The project's own node-gyp, else npm's bundled one, else whatever is on PATH. */
function nodeGyp() {
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

if (process.env.HIVESTREAM_SKIP_NATIVE === '1') unavailable('build skipped: HIVESTREAM_SKIP_NATIVE=1');

const [command, ...prefixArgs] = nodeGyp();
const run = spawnSync(command, [...prefixArgs, 'rebuild', '--jobs=max', ...nodedirArgs()], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (run.error !== undefined) unavailable(`cannot run node-gyp: ${run.error.message}`);
const output = `${run.stdout}\n${run.stderr}`;
if (run.status !== 0) {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, log), output);
  unavailable(`${reason(output, run.status)}; full log in ${log}`);
}
// A module that builds but will not load (wrong ABI, missing symbol) is no better.
try {
  createRequire(import.meta.url)(join(root, addon));
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  unavailable(`built but cannot be loaded: ${message.split('\n')[0] ?? ''}`);
}
console.log(`hivestream: native addon built (${addon})`);
