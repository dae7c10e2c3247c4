// Typed records: several tensor fields (variable-length int64 tokens,
// fixed float32 features, an int64 label), optional strings; the
// declaration in the header evolving by Avro's rules; float32 datasets
// still read; random access through the index (one chunk per get); the
// index command; a bad index gets a typed error.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  IndexError,
  ValidationError,
  buildIndex,
  inspect,
  openDataset,
  readRecords,
  readTrainingRecords,
  writeRecords,
  writeTrainingData,
  type FieldSpec,
  type TypedTensor,
} from '../../dist/index.js';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { FIELDS, records as floatRecords, typed } from './helpers.js';

const tmp = tempDir('hvs-ml-typed-');
afterAll(() => tmp.cleanup());

const tensor = (v: unknown): TypedTensor => v as TypedTensor;

describe('typed records', () => {
  it('round trip: every field exact, int64 labels past 2^24, variable lengths, optional strings; get(i) reads one chunk', async () => {
    const n = 500;
    const path = tmp.path('typed.hvs');
    const w = await writeRecords(
      (function* () {
        for (let i = 0; i < n; i++) yield typed(i);
      })(),
      path,
      { fields: FIELDS, chunkSize: 4096, compression: 'lz4', workers: 2 },
    );
    expect(w.records).toBe(n);
    expect((await inspect(path)).metadata['hivestream.content_type']).toBe('training-records/2');
    const ds = await openDataset(path);
    expect(ds.length).toBe(n);
    for (const i of [0, 1, 17, 250, 499]) {
      const before = { ...ds.stats };
      const r = ds.get(i);
      const want = typed(i);
      expect(tensor(r.tokens).data).toEqual(want.tokens);
      expect(tensor(r.tokens).shape).toEqual([(want.tokens as BigInt64Array).length]);
      expect(tensor(r.features).data).toEqual(want.features);
      expect(tensor(r.label).data).toEqual(BigInt64Array.of(BigInt(16777217 + i)));
      expect(tensor(r.label).shape).toEqual([]);
      expect(r.source).toBe(want.source);
      // At most one chunk per get (none when the page is cached).
      expect(ds.stats.chunksRead - before.chunksRead).toBeLessThanOrEqual(1);
      expect(ds.stats.bytesRead - before.bytesRead).toBeLessThanOrEqual(4096 + 400);
    }
    expect(() => ds.get(n)).toThrow(ValidationError);
    ds.close();
    const all: number[] = [];
    for await (const r of readRecords(path)) all.push(Number(tensor(r.record.label).data[0]) - 16777217);
    expect(all).toEqual([...Array(n).keys()]);
  });

  it('evolves by Avro rules: an added field with a default, a dropped field, a widened type, a renamed field by alias', async () => {
    const path = tmp.path('evolve.hvs');
    await writeRecords([typed(0), typed(1)], path, { fields: FIELDS, chunkSize: 4096 });
    const reader: FieldSpec[] = [
      { name: 'feats', dtype: 'float64', shape: [8], aliases: ['features'] },
      { name: 'label', dtype: 'int64' },
      { name: 'weight', dtype: 'float32', default: 1.5 },
      { name: 'lang', dtype: 'string', default: 'en' },
    ];
    const ds = await openDataset(path, { fields: reader });
    const r = ds.get(1);
    expect(Object.keys(r)).toEqual(['feats', 'label', 'weight', 'lang']);
    expect(tensor(r.feats).data).toEqual(Float64Array.from(typed(1).features as Float32Array));
    expect(tensor(r.weight).data).toEqual(Float32Array.of(1.5));
    expect(r.lang).toBe('en');
    ds.close();
    await expect(openDataset(path, { fields: [{ name: 'extra', dtype: 'int8' }] })).rejects.toThrow(/extra: is not in the stored records and has no default/);
    await expect(openDataset(path, { fields: [{ name: 'label', dtype: 'int32' }] })).rejects.toThrow(/stored as int64, which cannot be read as int32/);
    await expect(openDataset(path, { fields: [{ name: 'features', dtype: 'float32', shape: [9] }] })).rejects.toThrow(ValidationError);
  });

  it('bad records are refused naming the record and field; nothing is written', async () => {
    const path = tmp.path('bad.hvs');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...typed(0), features: new Float32Array(7) }, /record 1 features: has 7 values; shape \[8\] holds 8/],
      [{ ...typed(0), label: 1.5 }, /record 1 label: values do not fit int64/],
      [{ ...typed(0), tokens: new Float32Array(2) }, /a Float32Array given for a int64 field/],
      [{ ...typed(0), source: 5 }, /record 1 source: expected a string/],
    ];
    for (const [bad, message] of cases) {
      await expect(writeRecords([typed(0), bad], path, { fields: FIELDS })).rejects.toThrow(message);
      expect(() => readFileSync(path)).toThrow();
    }
  });

  it('float32 datasets (training-records/1) still read, and get an index from hivestream index', async () => {
    const path = tmp.path('v1.hvs');
    await writeTrainingData(floatRecords(300, 6, 2), path, { chunkSize: 4096, compression: 'lz4' });
    await expect(openDataset(path).then((d) => d.length)).rejects.toThrow(IndexError);
    const streamed: number[] = [];
    for await (const r of readRecords(path)) streamed.push(r.index);
    expect(streamed).toHaveLength(300);
    const cli = await runCli(['index', path, '--json']);
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout.toString())).toMatchObject({ written: true, records: 300 });
    const ds = await openDataset(path);
    expect(ds.length).toBe(300);
    const old: number[][] = [];
    for await (const r of readTrainingRecords(path)) old.push([...r.inputs]);
    expect(old).toHaveLength(300);
    expect([...tensor(ds.get(123).inputs).data]).toEqual(old[123]);
    expect(ds.get(124).label).toBe('class-0');
    ds.close();
    expect((await buildIndex(path)).written).toBe(false);
  });

  it('a bad or inconsistent index is a typed error; every byte returned is still verified', async () => {
    const path = tmp.path('idx.hvs');
    await writeRecords([typed(0), typed(1), typed(2)], path, { fields: FIELDS, chunkSize: 4096 });
    const bytes = readFileSync(path);
    // Corrupt the stored index (raw, uncompressed): the chunk digest catches it at load.
    const at = bytes.indexOf('HVIX');
    const flipped = Buffer.from(bytes);
    flipped[at + 40] = (flipped[at + 40] ?? 0) ^ 1;
    writeFileSync(tmp.path('flipped.hvs'), flipped);
    await expect(openDataset(tmp.path('flipped.hvs'))).rejects.toThrow(ChecksumMismatchError);
    // A consistent container whose index lies: written by a faulty writer (here, by hand).
    const { pack } = await import('../../dist/index.js');
    const raw = tmp.path('raw.bin');
    await (await import('../../dist/index.js')).unpack(path, raw);
    const r = readFileSync(raw);
    const ix = r.indexOf('HVIX');
    r.writeUInt32LE(r.readUInt32LE(ix + 32 + 8) + 4, ix + 32 + 8 + 4); // record 1's position moved
    writeFileSync(raw, r);
    const meta = (await inspect(path)).metadata;
    await pack(raw, tmp.path('lie.hvs'), { chunkSize: 4096, contentType: meta['hivestream.content_type'], contentMeta: meta['hivestream.content_meta'] });
    const lie = await openDataset(tmp.path('lie.hvs'));
    expect(() => lie.get(1)).toThrow(/record index: record 1 starts at byte \d+ of page 0; the index says \d+/);
    // The whole page's entries are checked against the index: no record of it is served.
    expect(() => lie.get(0)).toThrow(IndexError);
    lie.close();
    // The index command reads everything verified: a corrupt chunk fails it (exit 4), the file stays.
    await writeTrainingData(floatRecords(50, 6, 2), tmp.path('v1bad.hvs'), { chunkSize: 4096 });
    const v1 = readFileSync(tmp.path('v1bad.hvs'));
    const hit = v1.indexOf('HVRP') + 100;
    v1[hit] = (v1[hit] ?? 0) ^ 1;
    writeFileSync(tmp.path('v1bad.hvs'), v1);
    const cli = await runCli(['index', tmp.path('v1bad.hvs')]);
    expect(cli.code).toBe(4);
    expect(cli.stderr).toMatch(/^hivestream: checksum mismatch in chunk 0/);
    expect(readFileSync(tmp.path('v1bad.hvs')).equals(v1)).toBe(true);
  });
});
