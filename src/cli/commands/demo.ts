// demo: the main job on a built-in generated sample, end to end, timed.
// This is what `npm start` runs.
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pack, unpack, verify } from '../../api.js';
import { writeSample } from '../../datagen/generate.js';
import { PROFILES, type Profile } from '../../util/profiles.js';
import { HiveError, ValidationError } from '../../errors.js';
import { formatSize, MiB } from '../../options.js';
import { flag, int, size, str, WORKERS_OPTION, JSON_OPTION, type Command } from '../command.js';

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a), open(b)]);
  try {
    const ba = Buffer.alloc(4 * MiB);
    const bb = Buffer.alloc(4 * MiB);
    for (let pos = 0; ; pos += ba.length) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, ba.length, pos), fb.read(bb, 0, bb.length, pos)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

export const demoCommand: Command = {
  name: 'demo',
  usage: 'hivestream demo [--size 256MiB] [--profile mixed] [options]',
  help: `Generates a deterministic sample in a temporary folder, packs it with LZ4,
verifies the container, unpacks it, compares the result with the original
byte for byte, prints sizes, ratio and MB/s of each step, and cleans up.

Options:
      --size <n>         sample size (default 256MiB)
      --profile <name>   ${PROFILES.join(' | ')} (default mixed)
      --seed <n>         generator seed (default 1)
  -c, --chunk-size <n>   chunk size (default 1MiB)
      --keep             keep the temporary folder
  -w, --workers <n>      worker threads (default: available parallelism)
      --json             print the figures as JSON`,
  options: {
    size: { type: 'string' },
    profile: { type: 'string' },
    seed: { type: 'string' },
    'chunk-size': { type: 'string', short: 'c' },
    keep: { type: 'boolean' },
    ...WORKERS_OPTION,
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  async run(args, ctx) {
    const bytes = size(args, 'size') ?? 256 * MiB;
    const profile = (str(args, 'profile') ?? 'mixed') as Profile;
    if (!PROFILES.includes(profile)) throw new ValidationError('--profile', `${profile} is not one of ${PROFILES.join(', ')}`);
    const seed = int(args, 'seed') ?? 1;
    const workers = int(args, 'workers');
    const json = flag(args, 'json');
    const log = (line: string): void => {
      if (!json) ctx.stdout.write(line + '\n');
    };
    const dir = await mkdtemp(join(tmpdir(), 'hivestream-demo-'));
    const sample = join(dir, `sample-${profile}.bin`);
    const container = join(dir, 'sample.hvs');
    const restored = join(dir, 'restored.bin');
    const steps: Array<{ step: string; bytes: number; ms: number; mbPerSec: number }> = [];
    const step = (name: string, n: number, ms: number, extra = ''): void => {
      const mbPerSec = n / 1e6 / (ms / 1000);
      steps.push({ step: name, bytes: n, ms, mbPerSec });
      log(`  ${name.padEnd(9)} ${formatSize(n).padStart(10)} in ${(ms / 1000).toFixed(2).padStart(6)} s  ${mbPerSec.toFixed(0).padStart(6)} MB/s${extra}`);
    };
    try {
      log(`hivestream demo: ${formatSize(bytes)} of '${profile}' sample data (seed ${seed}) in ${dir}`);
      let t = performance.now();
      await writeSample(sample, { profile, size: bytes, seed });
      step('generate', bytes, performance.now() - t);
      const p = await pack(sample, container, { compression: 'lz4', chunkSize: str(args, 'chunk-size'), workers, signal: ctx.signal });
      step('pack', p.bytes, p.durationMs, `  -> ${formatSize(p.storedBytes)} container, ratio ${(p.storedBytes / Math.max(1, p.bytes)).toFixed(3)}, ${p.compressedChunks}/${p.chunks} chunks LZ4`);
      const v = await verify(container, { workers, signal: ctx.signal });
      step('verify', v.bytes, v.durationMs, `  root ${v.rootDigest.slice(0, 16)}… matches`);
      const u = await unpack(container, restored, { workers, signal: ctx.signal });
      step('unpack', u.bytes, u.durationMs);
      t = performance.now();
      const same = await sameBytes(sample, restored);
      step('compare', u.bytes, performance.now() - t, same ? '  identical' : '  DIFFERENT');
      if (!same) throw new HiveError('restored bytes differ from the original');
      const containerSize = (await stat(container)).size;
      if (json) {
        ctx.stdout.write(JSON.stringify({ operation: 'demo', profile, seed, bytes, containerBytes: containerSize, chunks: p.chunks, rootDigest: p.rootDigest, steps }) + '\n');
      } else {
        log(`ok: ${p.chunks} chunks round-tripped byte-identical through ${p.workers} workers (SHA-256: ${p.hashBackend}, LZ4: ${p.lz4Backend})`);
      }
      return 0;
    } finally {
      if (flag(args, 'keep')) log(`kept ${dir}`);
      else await rm(dir, { recursive: true, force: true });
    }
  },
};
