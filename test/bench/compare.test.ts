// `hivestream bench compare --quick`: the JSON it writes, peers missing from
// PATH reported as skipped (not failed), and a run that stays quick.
import { symlinkSync, mkdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../dist/bench/peers.js';
import type { CompareResult } from '../../dist/bench/compare.js';
import { runCli, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-compare-');
afterAll(() => tmp.cleanup());

describe('bench compare', () => {
  it('runs every contender it can, skips peers missing from PATH, and writes the JSON', async () => {
    // A PATH holding only openssl (when this machine has it): sha256sum and lz4 are "missing".
    const bin = tmp.path('bin');
    mkdirSync(bin);
    const openssl = findOnPath('openssl');
    if (openssl !== undefined) symlinkSync(openssl, `${bin}/openssl`);
    const json = tmp.path('compare.json');
    const t0 = performance.now();
    const r = await runCli(['bench', 'compare', '--quick', '--size', '8MiB', '--runs', '1', '--chunk-size', '256KiB', '--json-out', json], undefined, { PATH: bin });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(seconds).toBeLessThan(60);
    const result = JSON.parse(readFileSync(json, 'utf8')) as CompareResult;
    expect(result).toMatchObject({ kind: 'hivestream-bench-compare', version: 1, config: { profile: 'text', size: 8 * 2 ** 20, runs: 1, quick: true, chunkSize: 262144 } });
    expect(result.files.rawBytes).toBe(8 * 2 ** 20);
    expect(result.files.lz4FileBytes).toBeNull();
    expect(result.digestsAgree).toBe(true);
    const byId = new Map(result.contenders.map((c) => [c.id, c]));
    for (const id of ['hs-pack', 'hs-verify', 'hs-pack-lz4', 'hs-unpack', 'naive', 'copy', 'naive-lz4', 'copy-lz4']) {
      const c = byId.get(id);
      expect(c, id).toMatchObject({ status: 'ok' });
      expect(c?.runsMs).toHaveLength(1);
      expect(c?.mbPerSec).toBeGreaterThan(0);
      expect(c?.inProcessMs).toBeGreaterThan(0);
    }
    for (const id of ['sha256sum', 'lz4', 'lz4+sha256sum', 'lz4-d']) {
      expect(byId.get(id), id).toMatchObject({ status: 'skipped', runsMs: [] });
      expect(byId.get(id)?.reason).toMatch(/not found on PATH/);
    }
    expect(byId.get('openssl')?.status).toBe(openssl === undefined ? 'skipped' : 'ok');
    const ratio = (label: string) => result.ratios.find((x) => x.label === label);
    expect(ratio('pack --lz4 vs lz4 -1')).toMatchObject({ ratio: null, target: 1.5, met: null });
    expect(ratio('pack vs naive single thread')?.ratio).toBeGreaterThan(0);
    if (openssl !== undefined) expect(ratio('pack vs openssl dgst -sha256')).toMatchObject({ target: 1.5, met: expect.any(Boolean) as boolean });
    // The table names the skipped peers too.
    expect(r.stdout.toString()).toMatch(/sha256sum\s+skipped \(sha256sum not found on PATH\)/);
  });

  it('rejects a bad subcommand and sweep-only options with exit code 2', async () => {
    const bad = await runCli(['bench', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hivestream: unknown benchmark "nope"/);
    const html = await runCli(['bench', 'compare', '--html', tmp.path('x.html')]);
    expect(html.code).toBe(2);
    expect(html.stderr.trim().split('\n')).toHaveLength(1);
  });
});
