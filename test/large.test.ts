// Larger inputs: a 100 MiB random-and-text mix through files and through
// pipes, and bounded memory while packing from a generator.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, unpack, writeSample } from '../dist/index.js';
import { CLI, ROOT, sha256File, tempDir } from './helpers/fixtures.js';

const SIZE = 100 * 1024 * 1024;
const tmp = tempDir('hvs-large-');
let digest = '';


beforeAll(async () => {
  await writeSample(tmp.path('mix.bin'), { profile: 'mixed', size: SIZE, seed: 42 });
  digest = await sha256File(tmp.path('mix.bin'));
}, 120_000);
afterAll(() => tmp.cleanup());

describe('100 MiB random-and-text mix', () => {
  it.each(['none', 'lz4'] as const)('through files, compression=%s', async (compression) => {
    const p = await pack(tmp.path('mix.bin'), tmp.path(`mix-${compression}.hvs`), { compression });
    expect(p.bytes).toBe(SIZE);
    if (compression === 'lz4') {
      expect(p.compressedChunks).toBeGreaterThan(0);
      expect(p.compressedChunks).toBeLessThan(p.chunks);
    }
    await unpack(tmp.path(`mix-${compression}.hvs`), tmp.path(`mix-${compression}.out`));
    expect(await sha256File(tmp.path(`mix-${compression}.out`))).toBe(digest);
  }, 120_000);

  it.each([
    { name: 'raw', extra: [] as string[] },
    { name: 'lz4', extra: ['--lz4'] },
  ])('through a pipe: pack - | unpack -, $name', async ({ extra }) => {
    const packer = spawn(process.execPath, [CLI, 'pack', '-', '-o', '-', '-q', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    const unpacker = spawn(process.execPath, [CLI, 'unpack', '-', '-o', '-', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
    createReadStream(tmp.path('mix.bin')).pipe(packer.stdin);
    packer.stdout.pipe(unpacker.stdin);
    const h = createHash('sha256');
    unpacker.stdout.on('data', (d: Buffer) => h.update(d));
    let errors = '';
    packer.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    unpacker.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    const codes = await Promise.all([packer, unpacker].map((c) => new Promise<number | null>((resolve) => c.on('close', resolve))));
    expect(errors).toBe('');
    expect(codes).toEqual([0, 0]);
    expect(h.digest('hex')).toBe(digest);
  }, 120_000);
});

describe('memory', () => {
  it('packing 512 MiB streamed from a generator keeps peak RSS under 300 MiB', () => {
    const r = spawnSync(process.execPath, [`${ROOT}scripts/memory-check.mjs`, '512MiB', 'random', '--lz4', '--json'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout) as { peakRss: number; written: number; ok: boolean };
    expect(result.written).toBeGreaterThan(512 * 1024 * 1024);
    expect(result.peakRss).toBeLessThan(300 * 1024 * 1024);
  }, 120_000);
});
