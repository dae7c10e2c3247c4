// A tree of a few hundred small files and some large ones, through the CLI:
// to containers, back to raw, re-encoded with other settings, and re-run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../dist/index.js';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { doneLines, makeTree, manifestLines, partials, rootDigest, treeDigests, treeStats } from './tree.js';

const tmp = tempDir('hvs-convert-rt-');
const IN = tmp.path('in');
const HVS = tmp.path('hvs');
const MANIFEST = join(HVS, '.hivestream-manifest.jsonl');
const MiB = 1 << 20;
let rels: string[] = [];

beforeAll(() => {
  rels = makeTree(IN, { small: 300, smallMax: 6000, large: [3 * MiB + 17, 4 * MiB, 2 * MiB + 1], seed: 7 });
});
afterAll(() => tmp.cleanup());

interface Summary {
  files: { total: number; converted: number; failed: number; alreadyDone: number };
  nothingToDo: boolean;
  bytesIn: number;
}

describe('convert a tree', () => {
  it('packs every file into its own container and unpacks them back byte-identical; inputs untouched', async () => {
    const before = treeStats(IN);
    const digests = treeDigests(IN);
    const p = await runCli(['convert', IN, '--to', 'hvs', '--lz4', '-c', '64KiB', '-o', HVS, '-j', '3', '--json']);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const summary = JSON.parse(p.stdout.toString()) as Summary;
    expect(summary.files).toMatchObject({ total: rels.length, converted: rels.length, failed: 0 });
    expect([...treeDigests(HVS).keys()].sort()).toEqual(rels.map((r) => `${r}.hvs`).sort());

    // One done line per file, with the figures and a root digest computed independently.
    const lines = doneLines(MANIFEST);
    expect(lines.map((l) => l.input).sort()).toEqual(rels);
    for (const l of lines) {
      const data = readFileSync(join(IN, ...l.input.split('/')));
      expect(l).toMatchObject({ output: `${l.input}.hvs`, bytes: data.length, rootDigest: rootDigest(data, 65536) });
    }
    const all = manifestLines(MANIFEST);
    expect(all[0]).toMatchObject({ kind: 'job', to: 'hvs', compression: 'lz4', chunkSize: 65536, jobFiles: rels.length, shard: null });
    expect(all[all.length - 1]).toMatchObject({ kind: 'end', done: rels.length, failed: 0, interrupted: false });

    const RAW = tmp.path('raw');
    const u = await runCli(['convert', HVS, '--to', 'raw', '-o', RAW, '-q']);
    expect(u.stderr).toBe('');
    expect(u.code).toBe(0);
    expect(treeDigests(RAW)).toEqual(digests);
    expect(treeStats(IN)).toEqual(before);
    expect(partials(HVS)).toEqual([]);
  });

  it('re-encodes containers with other settings (LZ4 dropped, 128 KiB chunks) without writing raw files', async () => {
    const old = await inspect(join(HVS, 'large', 'big-0.bin.hvs'));
    expect(old.compressedChunks).toBeGreaterThan(0);
    // The large ones and one folder of small ones: a folder given as input is its own root.
    const RE = tmp.path('re');
    // Many files in flight (two calls each) and not one warning on stderr.
    const r = await runCli(['convert', join(HVS, 'large'), join(HVS, 'd0-1'), '--to', 'hvs', '-c', '128KiB', '-o', RE, '-q', '-j', '6']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = rels.filter((x) => x.startsWith('large/') || x.startsWith('d0-1/')).map((x) => `${x.slice(x.indexOf('/') + 1)}.hvs`);
    expect(expected.length).toBeGreaterThan(10);
    // Only containers in the output: the raw bytes went through a pipe.
    expect([...treeDigests(RE).keys()].sort()).toEqual(expected.sort());
    const now = await inspect(join(RE, 'big-0.bin.hvs'));
    expect(now).toMatchObject({ chunkSize: 131072, compressedChunks: 0, bytes: old.bytes, source: 'big-0.bin', complete: true });
    const lines = doneLines(join(RE, '.hivestream-manifest.jsonl'));
    expect(new Set(lines.map((l) => l.op))).toEqual(new Set(['reencode']));
    const data = readFileSync(join(IN, 'large', 'big-0.bin'));
    expect(lines.find((l) => l.input === 'big-0.bin.hvs')?.rootDigest).toBe(rootDigest(data, 131072));

    const RAW2 = tmp.path('raw2');
    const u = await runCli(['convert', RE, '--to', 'raw', '-o', RAW2, '-q']);
    expect(u.code).toBe(0);
    const restored = treeDigests(RAW2);
    const original = treeDigests(IN);
    for (const x of expected) {
      const raw = x.slice(0, -'.hvs'.length);
      const from = [`large/${raw}`, `d0-1/${raw}`].find((c) => original.has(c)) ?? '';
      expect(restored.get(raw)).toBe(original.get(from));
    }
    expect(restored.size).toBe(expected.length);
  });

  it('a finished job: --resume does nothing and says so; without --resume it refuses to start over', async () => {
    const size = readFileSync(MANIFEST).length;
    const again = await runCli(['convert', IN, '--to', 'hvs', '--lz4', '-c', '64KiB', '-o', HVS, '--resume']);
    expect(again.code).toBe(0);
    expect(again.stdout.toString()).toMatch(new RegExp(`^nothing to do: all ${rels.length} files are already done`));
    expect(readFileSync(MANIFEST).length).toBe(size);
    const fresh = await runCli(['convert', IN, '--to', 'hvs', '--lz4', '-c', '64KiB', '-o', HVS]);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toMatch(/^hivestream: .*holds an earlier run of a job: pass --resume to finish it, or --restart/);
    expect(fresh.stderr.trim().split('\n')).toHaveLength(1);
  });
});
