// Every back end yields the same digests and readable output, through the
// engine: containers packed with one back end unpack with any other.
import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { pack, unpack, type PackReport } from '../dist/index.js';
import { HASH_BACKENDS, type HashBackendName, type Lz4BackendName } from '../dist/engine/backends/kernels.js';
import { calibrateHash, calibrateLz4 } from '../dist/engine/backends/select.js';
import { runCli, sample, tempDir } from './helpers/fixtures.js';

const tmp = tempDir('hvs-backends-');
afterAll(() => tmp.cleanup());
const data = Buffer.concat([sample('text', 300_000, 1), sample('random', 200_000, 2), sample('tensor', 100_000, 3)]);
writeFileSync(tmp.path('in.bin'), data);

const hashAvailable = (await calibrateHash()).filter((c) => c.available).map((c) => c.name);
const lz4Available = calibrateLz4().filter((c) => c.available).map((c) => c.name);

async function restore(container: string, hashBackend: HashBackendName, lz4Backend: Lz4BackendName): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (d: Buffer) => parts.push(d));
  await unpack(container, sink, { hashBackend, lz4Backend });
  return Buffer.concat(parts);
}

describe('back ends through the engine', () => {
  it('native, node and lz4-napi are available here', () => {
    expect(hashAvailable).toEqual(expect.arrayContaining(['native', 'node', 'wasm', 'wasm-simd']));
    expect(lz4Available).toEqual(expect.arrayContaining(['native', 'lz4-napi']));
    expect(HASH_BACKENDS.length).toBeGreaterThanOrEqual(hashAvailable.length);
  });

  it('every hash x LZ4 back end packs the same root digest, and each container unpacks with other back ends', async () => {
    const combos = hashAvailable.flatMap((h) => lz4Available.map((l) => [h, l] as const));
    const reports: PackReport[] = [];
    for (const [hashBackend, lz4Backend] of combos) {
      const r = await pack(tmp.path('in.bin'), tmp.path(`c-${hashBackend}-${lz4Backend}.hvs`), { chunkSize: 65536, compression: 'lz4', hashBackend, lz4Backend });
      expect(r).toMatchObject({ hashBackend, lz4Backend });
      reports.push(r);
    }
    expect(new Set(reports.map((r) => r.rootDigest)).size).toBe(1);
    expect(reports.every((r) => r.compressedChunks === reports[0]?.compressedChunks)).toBe(true);
    // Container i is read back with the back ends of combo i+1: every back end reads another's output.
    for (let i = 0; i < combos.length; i++) {
      const [h, l] = combos[i] ?? ['node', 'lz4-napi'];
      const [rh, rl] = combos[(i + 1) % combos.length] ?? ['node', 'lz4-napi'];
      expect((await restore(tmp.path(`c-${h}-${l}.hvs`), rh, rl)).equals(data)).toBe(true);
    }
  }, 120_000);

  it('without liblz4, auto falls back to lz4-napi and packing still works', async () => {
    const env = { HIVESTREAM_LIBLZ4: 'none' };
    const info = await runCli(['info', '--json'], undefined, env);
    expect(info.code).toBe(0);
    const report = JSON.parse(info.stdout.toString()) as { auto: { lz4: string }; lz4: Array<{ name: string; available: boolean; reason?: string }> };
    expect(report.auto.lz4).toBe('lz4-napi');
    expect(report.lz4.find((c) => c.name === 'native')).toMatchObject({ available: false });
    const p = await runCli(['pack', tmp.path('in.bin'), '-o', tmp.path('nolib.hvs'), '--lz4', '--json'], undefined, env);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout.toString())).toMatchObject({ lz4Backend: 'lz4-napi' });
    const forced = await runCli(['pack', tmp.path('in.bin'), '-o', tmp.path('x.hvs'), '--lz4', '--lz4-backend', 'native'], undefined, env);
    expect(forced.code).toBe(14);
    expect(forced.stderr).toMatch(/LZ4 back end native is not available here/);
    expect((await restore(tmp.path('nolib.hvs'), 'native', 'native')).equals(readFileSync(tmp.path('in.bin')))).toBe(true);
  }, 60_000);
});
