#!/usr/bin/env node
// Seeded mutation fuzzing of the container readers: builds a few valid
// containers, then (for a time budget) breaks them the ways an attacker or a
// bad disk would, and reads each result with verify and unpack, from a
// stream and from a file. A mutated container must either be rejected with a
// bad-input error (a documented exit code), or restore exactly the original
// bytes; nothing may crash, hang, or be left behind, and memory stays bounded.
//
//   node scripts/fuzz-containers.mjs [--seconds 30] [--seed 1] [--cli-every 200] [--json]
//
// Prints a summary (JSON with --json) and exits 1 when any rule was broken.
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { pack, unpack, verify, generate, isBadInputError } = await import(new URL('../dist/index.js', import.meta.url).href);

const { values } = parseArgs({
  options: { seconds: { type: 'string' }, seed: { type: 'string' }, 'cli-every': { type: 'string' }, json: { type: 'boolean' } },
});
const seconds = Number(values.seconds ?? 30);
const seed = Number(values.seed ?? 1);
const cliEvery = Number(values['cli-every'] ?? 200);

/** Exit codes the README documents (its table), 0 included. */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const documented = new Set([0, ...[...readme.slice(readme.indexOf('### Exit codes')).matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))]);

// xorshift32: the same seed gives the same mutations on every machine.
let state = seed >>> 0 || 1;
const rand = () => {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 2 ** 32;
};
const below = (n) => Math.floor(rand() * n);
const randomBytes = (n) => Buffer.from(Array.from({ length: n }, () => below(256)));

const sha = (b) => createHash('sha256').update(b).digest('hex');
const collect = () => {
  const parts = [];
  return { sink: new Writable({ write: (c, _e, cb) => (parts.push(Buffer.from(c)), cb()) }), bytes: () => Buffer.concat(parts) };
};
const sample = (profile, size, s) => Buffer.concat([...generate({ profile, size, seed: s })]);

// The base containers: LZ4 and raw, short and full final chunks, empty, one big chunk, signed.
const keys = generateKeyPairSync('ed25519');
const bases = [];
async function base(name, data, options) {
  const out = collect();
  await pack(data, out.sink, { workers: 1, ...options });
  bases.push({ name, data, digest: sha(data), container: out.bytes(), publicKey: options.signingKey === undefined ? undefined : keys.publicKey });
}
await base('text-lz4', sample('text', 3 * 4096 + 700, 1), { chunkSize: 4096, compression: 'lz4' });
await base('random-raw', sample('random', 3 * 4096 + 10, 2), { chunkSize: 4096 });
await base('full-final', sample('mixed', 2 * 4096, 3), { chunkSize: 4096, compression: 'lz4' });
await base('empty', new Uint8Array(0), { chunkSize: 4096 });
await base('one-64k', sample('text', 50_000, 4), { chunkSize: 65536, compression: 'lz4' });
await base('signed', sample('text', 2 * 4096 + 5, 5), { chunkSize: 4096, compression: 'lz4', signingKey: keys.privateKey });

function readVarint(buf, pos) {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 10 && pos < buf.length; i++) {
    const b = buf[pos++];
    n += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value: n % 2 === 0 ? n / 2 : -(n + 1) / 2, next: pos };
    scale *= 128;
  }
  return undefined;
}

function writeVarint(value, extra = 0) {
  const out = [];
  let n = value >= 0 ? value * 2 : -value * 2 - 1;
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  // `extra` continuation bytes: the same value, encoded too long (still within 10 bytes).
  if (extra > 0) {
    out.push(n | 0x80);
    for (let i = 1; i < extra; i++) out.push(0x80);
    out.push(0);
  } else out.push(n);
  return Buffer.from(out);
}

/** Header length and the blocks ([start, end), with where the size varint is) of a valid container. */
function layout(c) {
  // The header ends with its sync marker, which also ends every block.
  let pos = 4;
  for (;;) {
    const count = readVarint(c, pos);
    pos = count.next;
    if (count.value === 0) break;
    let k = Math.abs(count.value);
    if (count.value < 0) pos = readVarint(c, pos).next;
    while (k-- > 0) {
      const kl = readVarint(c, pos);
      pos = kl.next + kl.value;
      const vl = readVarint(c, pos);
      pos = vl.next + vl.value;
    }
  }
  const headerEnd = pos + 16;
  const blocks = [];
  pos = headerEnd;
  while (pos < c.length) {
    const count = readVarint(c, pos);
    const size = readVarint(c, count.next);
    const end = size.next + size.value + 16;
    blocks.push({ start: pos, sizeAt: count.next, sizeEnd: size.next, size: size.value, end });
    pos = end;
  }
  return { headerEnd, blocks };
}

const foreign = bases[1].container;
const foreignBlocks = layout(foreign).blocks;

const MUTATORS = {
  flip: (c) => {
    const at = below(c.length);
    c[at] ^= 1 + below(255);
    return c;
  },
  set: (c) => {
    c[below(c.length)] = below(256);
    return c;
  },
  truncate: (c) => c.subarray(0, below(c.length)),
  insert: (c) => {
    const at = below(c.length + 1);
    return Buffer.concat([c.subarray(0, at), randomBytes(1 + below(16)), c.subarray(at)]);
  },
  delete: (c) => {
    const at = below(c.length);
    return Buffer.concat([c.subarray(0, at), c.subarray(Math.min(c.length, at + 1 + below(32)))]);
  },
  overlongVarint: (c, l) => {
    const b = l.blocks[below(l.blocks.length)];
    return Buffer.concat([c.subarray(0, b.sizeAt), writeVarint(b.size, 1 + below(2)), c.subarray(b.sizeEnd)]);
  },
  swapBlocks: (c, l) => {
    if (l.blocks.length < 2) return MUTATORS.flip(c);
    const i = below(l.blocks.length - 1);
    const [a, b] = [l.blocks[i], l.blocks[i + 1]];
    return Buffer.concat([c.subarray(0, a.start), c.subarray(b.start, b.end), c.subarray(a.start, a.end), c.subarray(b.end)]);
  },
  duplicateBlock: (c, l) => {
    const b = l.blocks[below(l.blocks.length)];
    return Buffer.concat([c.subarray(0, b.end), c.subarray(b.start, b.end), c.subarray(b.end)]);
  },
  dropBlock: (c, l) => {
    const b = l.blocks[below(l.blocks.length)];
    return Buffer.concat([c.subarray(0, b.start), c.subarray(b.end)]);
  },
  foreignBlock: (c, l) => {
    const f = foreignBlocks[below(foreignBlocks.length)];
    const b = l.blocks[below(l.blocks.length)];
    return Buffer.concat([c.subarray(0, b.start), foreign.subarray(f.start, f.end), c.subarray(b.end)]);
  },
  appendBlock: (c, l) => {
    const b = l.blocks[below(l.blocks.length)];
    return Buffer.concat([c, c.subarray(b.start, b.end)]);
  },
  hugeClaim: (c, l) => {
    const b = l.blocks[below(l.blocks.length)];
    const claim = [2 ** 62, 2 ** 53, 2 ** 40, 2 ** 31, 64 * 2 ** 20 + 1][below(5)];
    return Buffer.concat([c.subarray(0, b.sizeAt), writeVarint(Math.min(claim, Number.MAX_SAFE_INTEGER), 0), c.subarray(b.sizeEnd)]);
  },
  lz4Bomb: (c, l) => {
    // Where an LZ4 record's data starts is not known here: put a huge raw-size claim at a random place inside a block.
    const b = l.blocks[below(l.blocks.length)];
    const at = b.sizeEnd + below(Math.max(1, b.size - 4));
    const copy = Buffer.from(c);
    copy.writeUInt32LE([0xffffffff, 0x04000001, 0x7fffffff][below(3)], Math.min(at, copy.length - 4));
    return copy;
  },
};
const NAMES = Object.keys(MUTATORS);

const work = mkdtempSync(join(tmpdir(), 'hvs-fuzz-'));
const summary = { seed, seconds, tried: 0, accepted: 0, rejected: 0, acceptedWrong: 0, crashes: 0, hangs: 0, leftovers: 0, cliRuns: 0, cliUndocumented: 0, byMutator: {}, byCode: {}, samples: [], maxRssMiB: 0 };

function note(kind, detail) {
  if (summary.samples.length < 10) summary.samples.push({ kind, ...detail });
}

async function outcome(p) {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, err };
  }
}

/** Classifies one read: accepted (and exact?), or rejected (with a bad-input error?). */
function judge(r, restored, b, mutator, how) {
  if (r.ok) {
    summary.accepted++;
    if (restored !== undefined && sha(restored) !== b.digest) {
      summary.acceptedWrong++;
      note('accepted-but-wrong', { mutator, how, base: b.name });
    }
    return 0;
  }
  summary.rejected++;
  const err = r.err;
  if (err?.name === 'AbortError') {
    summary.hangs++;
    note('hang', { mutator, how, base: b.name });
    return 1;
  }
  if (!isBadInputError(err) || !documented.has(err.exitCode)) {
    summary.crashes++;
    note('crash', { mutator, how, base: b.name, error: `${err?.name}: ${err?.message}` });
    return 70;
  }
  summary.byCode[err.code] = (summary.byCode[err.code] ?? 0) + 1;
  return err.exitCode;
}

const t0 = performance.now();
let i = 0;
while ((performance.now() - t0) / 1000 < seconds) {
  const b = bases[i % bases.length];
  const mutator = NAMES[below(NAMES.length)];
  const l = layout(b.container);
  const mutated = Buffer.from(MUTATORS[mutator](Buffer.from(b.container), l));
  summary.byMutator[mutator] = (summary.byMutator[mutator] ?? 0) + 1;
  const opts = { workers: 1, publicKey: b.publicKey, signal: AbortSignal.timeout(20_000) };
  // From a stream: unpack restores into memory and is compared.
  const out = collect();
  const streamed = await outcome(unpack([mutated], out.sink, opts));
  judge(streamed, out.bytes(), b, mutator, 'unpack stream');
  // From a file: workers read it themselves; the restored file must match, or nothing may be left.
  if (i % 4 === 0) {
    const dir = join(work, String(i));
    const file = join(work, `${i}.hvs`);
    writeFileSync(file, mutated);
    rmSync(dir, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(dir);
    const target = join(dir, 'out.bin');
    const r = await outcome(unpack(file, target, opts));
    judge(r, r.ok ? readFileSync(target) : undefined, b, mutator, 'unpack file');
    const left = readdirSync(dir);
    if (!r.ok && left.length > 0) {
      summary.leftovers++;
      note('left behind', { mutator, files: left });
    }
    const v = await outcome(verify(file, opts));
    if (v.ok !== r.ok) {
      summary.crashes++;
      note('verify and unpack disagree', { mutator, base: b.name });
    }
    if (cliEvery > 0 && i % cliEvery === 0) {
      const args = [join(ROOT, 'dist/bin/hivestream.cjs'), 'verify', file, '-q', '-w', '1'];
      const cli = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
      summary.cliRuns++;
      const oneLine = cli.stderr === '' || /^hivestream: [^\n]+\n$/.test(cli.stderr);
      if (!documented.has(cli.status) || cli.status === 70 || !oneLine || (cli.status === 0) !== r.ok) {
        summary.cliUndocumented++;
        note('cli', { mutator, status: cli.status, stderr: cli.stderr.slice(0, 200) });
      }
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
  summary.tried++;
  i++;
}
summary.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
rmSync(work, { recursive: true, force: true });

const failed = summary.acceptedWrong + summary.crashes + summary.hangs + summary.leftovers + summary.cliUndocumented > 0;
if (values.json) console.log(JSON.stringify(summary));
else {
  console.log(`mutated containers tried: ${summary.tried} (${summary.accepted} reads accepted, ${summary.rejected} rejected), seed ${seed}, ${seconds} s`);
  console.log(`accepted but wrong: ${summary.acceptedWrong}; crashes: ${summary.crashes}; hangs: ${summary.hangs}; left behind: ${summary.leftovers}; CLI runs ${summary.cliRuns}, undocumented exits ${summary.cliUndocumented}`);
  console.log(`max RSS: ${summary.maxRssMiB} MiB; rejections by code: ${JSON.stringify(summary.byCode)}`);
  for (const s of summary.samples) console.log(`  ${JSON.stringify(s)}`);
}
process.exit(failed ? 1 : 0);
