#!/usr/bin/env node
// Seeded benchmark data of any size, streamed (memory stays at one block):
//   node scripts/gen-data.mjs --profile text --size 1GiB --seed 1 -o FILE
//   node scripts/gen-data.mjs --profile mixed --size 256MiB -o - | hivestream pack - -o x.hvs
// Profiles: text (JSON Lines records, LZ4-compressible), tensor (float32
// arrays, barely compressible), random (incompressible), mixed (per 1 MiB
// block: half text, 3/10 tensor, 1/5 random). The same seed gives the same
// bytes on every machine. A thin wrapper over dist/datagen (npm run build first).
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { generate, parseSize, PROFILES, ValidationError, HiveError } from '../dist/index.js';

const USAGE = `usage: node scripts/gen-data.mjs --profile <${PROFILES.join('|')}> --size <n> [--seed <n>] -o <file|->`;

async function main() {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'mixed' },
      size: { type: 'string' },
      seed: { type: 'string', default: '1' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.size === undefined) throw new ValidationError('--size', `missing (${USAGE})`);
  if (values.output === undefined) throw new ValidationError('--output', `missing (${USAGE})`);
  if (!/^\d+$/.test(values.seed)) throw new ValidationError('--seed', `${JSON.stringify(values.seed)} is not a whole number`);
  const toStdout = values.output === '-';
  if (toStdout && process.stdout.isTTY === true) throw new ValidationError('--output', 'refusing to write binary data to a terminal');
  const blocks = generate({ profile: values.profile, size: parseSize(values.size, '--size'), seed: Number(values.seed) });
  // The first block is taken before the output is opened: generate() checks
  // the profile and size then, so bad options leave no file behind.
  const first = blocks.next();
  function* all() {
    if (first.done !== true) yield first.value;
    yield* blocks;
  }
  const out = toStdout ? process.stdout : createWriteStream(values.output);
  try {
    await pipeline(Readable.from(all(), { objectMode: false }), out);
  } catch (err) {
    // A reader that goes away (| head) ends the job quietly.
    if (err?.code === 'EPIPE' || err?.code === 'ERR_STREAM_PREMATURE_CLOSE') return 0;
    throw err;
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  const code = err instanceof HiveError ? err.exitCode : err?.code?.startsWith?.('ERR_PARSE_ARGS') ? 2 : 1;
  process.stderr.write(`gen-data: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = code;
}
