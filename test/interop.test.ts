// An independent Avro implementation (Apache Avro for Python, not avsc)
// opens our containers, and its records alone restore the original bytes.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { pack } from '../dist/index.js';
import { ROOT, sample, tempDir } from './helpers/fixtures.js';

const PYTHON = '/usr/bin/python3';
const script = `${ROOT}test/interop/read_container.py`;
const hasAvro = spawnSync(PYTHON, ['-c', 'import avro.datafile'], { stdio: 'ignore' }).status === 0;
const required = process.env.HIVESTREAM_REQUIRE_INTEROP === '1';
const tmp = tempDir('hvs-interop-');
afterAll(() => tmp.cleanup());

describe('interoperability with Apache Avro (Python)', () => {
  it('is available where CI requires it', () => {
    // Locally, install Debian's python3-avro to run these; CI installs it and sets HIVESTREAM_REQUIRE_INTEROP=1.
    if (required) expect(hasAvro).toBe(true);
  });

  // A signed container carries one more key in its final record's metadata: Avro readers read it like any other.
  const signingKey = generateKeyPairSync('ed25519').privateKey;
  it.skipIf(!hasAvro).each([
    ['none', false],
    ['lz4', false],
    ['lz4', true],
  ] as const)('reads a %s container (signed: %s) and restores the bytes', async (compression, signed) => {
    const data = Buffer.concat([sample('text', 3 * 65536, 12), sample('random', 2 * 65536 + 321, 13)]);
    writeFileSync(tmp.path('in.bin'), data);
    const report = await pack(tmp.path('in.bin'), tmp.path('c.hvs'), { chunkSize: 65536, compression, ...(signed ? { signingKey } : {}) });
    const run = spawnSync(PYTHON, [script, tmp.path('c.hvs'), tmp.path('out.bin')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { schema: string; records: number; root: string; meta: Record<string, string>; bytes: number };
    expect(result).toMatchObject({ schema: 'Chunk', records: 6, root: report.rootDigest, bytes: data.length });
    expect(result.meta).toMatchObject({ 'avro.codec': 'null', 'hivestream.format': '1', 'hivestream.chunk_size': '65536', 'hivestream.hash': 'sha256', 'hivestream.source': 'in.bin' });
    expect(readFileSync(tmp.path('out.bin')).equals(data)).toBe(true);
    if (compression === 'lz4') expect(report.compressedChunks).toBeGreaterThan(0);
  });

  it.skipIf(!hasAvro)('reads a record-aligned container (hivestream.boundary) and restores the bytes', async () => {
    const data = sample('text', 5 * 65536 + 999, 14);
    writeFileSync(tmp.path('lines.jsonl'), data);
    const report = await pack(tmp.path('lines.jsonl'), tmp.path('b.hvs'), { chunkSize: 65536, compression: 'lz4', boundary: 'newline' });
    const run = spawnSync(PYTHON, [script, tmp.path('b.hvs'), tmp.path('b.out')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { records: number; root: string; meta: Record<string, string>; bytes: number };
    expect(result).toMatchObject({ records: report.chunks, root: report.rootDigest, bytes: data.length });
    expect(result.meta).toMatchObject({ 'hivestream.boundary': '0a' });
    expect(readFileSync(tmp.path('b.out')).equals(data)).toBe(true);
  });
});
