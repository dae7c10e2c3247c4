// Checkpoints: many named tensors of every dtype (0-d to N-d, metadata)
// round-trip bit-exact; one tensor is read without reading the others;
// safetensors in and out (library and CLI) byte for byte; bad headers get
// typed errors before anything is allocated for them.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  ContentTypeError,
  DTYPES,
  DtypeMismatchError,
  FormatError,
  FrameTooLargeError,
  TruncatedStreamError,
  ValidationError,
  openCheckpoint,
  packSafetensors,
  readModelWeights,
  streamModelWeights,
  unpack,
  unpackSafetensors,
  writeCheckpoint,
  type CheckpointTensor,
  type Dtype,
} from '../../dist/index.js';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { fillRandom, prng } from '../helpers/prng.js';

const tmp = tempDir('hvs-ml-ckpt-');
afterAll(() => tmp.cleanup());

const SIZE: Record<Dtype, number> = { float16: 2, bfloat16: 2, float32: 4, float64: 8, int8: 1, int16: 2, int32: 4, int64: 8, uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1 };

/** Seeded bytes of a tensor (bool: 0 or 1). */
function bytesOf(dtype: Dtype, shape: number[], seed: number): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1) * SIZE[dtype];
  const b = fillRandom(new Uint8Array(n), prng(seed));
  if (dtype === 'bool') b.forEach((v, i) => (b[i] = v & 1));
  return b;
}

const NO_METADATA: Record<string, string> = {};

function tensors(): CheckpointTensor[] {
  const shapes: number[][] = [[], [7], [3, 5], [2, 3, 4], [0, 4], [1, 1, 1, 9]];
  return DTYPES.map((dtype, i) => {
    const shape = shapes[i % shapes.length] ?? [];
    return { name: `layer${i}.${dtype}`, dtype, shape, data: bytesOf(dtype, shape, i + 1), metadata: i % 2 === 0 ? { role: 'weight', index: String(i) } : NO_METADATA };
  });
}

const bytesEqual = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('checkpoints', () => {
  it('every dtype, 0-d to 4-d, with file and tensor metadata, comes back bit-exact, and a tensor is read without the others', async () => {
    const list = tensors();
    // Put a big tensor first so that reading the last one can be shown not to read it.
    list.unshift({ name: 'embed', dtype: 'float32', shape: [64, 1024], data: bytesOf('float32', [64, 1024], 99) });
    const path = tmp.path('all.hvs');
    const w = await writeCheckpoint(list, path, { metadata: { format: 'pt', step: '1200' }, chunkSize: 4096, compression: 'lz4', workers: 2 });
    expect(w.checkpoint.tensors).toBe(list.length);
    const ck = await openCheckpoint(path);
    expect(ck.metadata).toEqual({ format: 'pt', step: '1200' });
    expect(ck.tensors.map((t) => t.name)).toEqual(list.map((t) => t.name));
    const before = ck.stats.bytesRead;
    const last = list[list.length - 1];
    if (last === undefined) throw new Error('no tensors');
    const one = ck.read(last.name);
    // The 256 KiB tensor at the front was not read: a couple of 4 KiB chunks were.
    expect(ck.stats.bytesRead - before).toBeLessThan(3 * 4096);
    expect(bytesEqual(one.data, last.data as Uint8Array)).toBe(true);
    for (const t of list) {
      const back = ck.read(t.name);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(back.metadata).toEqual(t.metadata ?? {});
      expect(bytesEqual(back.data, t.data as Uint8Array)).toBe(true);
    }
    expect(ck.read('layer7.int64').data).toBeInstanceOf(BigInt64Array);
    expect(ck.read('layer1.bfloat16').data).toBeInstanceOf(Uint16Array);
    expect(() => ck.read('layer2.float32', { dtype: 'float64' })).toThrow(DtypeMismatchError);
    expect(() => ck.read('nope')).toThrow(ValidationError);
    ck.close();
  });

  it('streams a tensor larger than a chunk both ways: generator in, whole-element slices out', async () => {
    const elements = 100_000;
    const whole = new BigInt64Array(elements).map((_, i) => BigInt(i) * 1_000_000_007n - 5n);
    function* pieces(): Generator<Uint8Array> {
      const b = new Uint8Array(whole.buffer);
      for (let at = 0; at < b.length; at += 3001) yield b.subarray(at, at + 3001);
    }
    const path = tmp.path('stream.hvs');
    await writeCheckpoint([{ name: 'big', dtype: 'int64', shape: [elements], data: pieces() }, { name: 'step', dtype: 'int64', shape: [], data: BigInt64Array.of(42n) }], path, { chunkSize: 4100, workers: 2 });
    const ck = await openCheckpoint(path, { cacheChunks: 1 });
    let at = 0;
    for await (const s of ck.slices('big')) {
      expect(s.offset).toBe(at);
      expect(bytesEqual(s.data, whole.subarray(at, at + s.data.length))).toBe(true);
      at += s.data.length;
    }
    expect(at).toBe(elements);
    expect(ck.read('step').data).toEqual(BigInt64Array.of(42n));
    ck.close();
  });

  it('rejects bad tensors before writing: wrong byte count, bool values, duplicate names', async () => {
    const out = tmp.path('bad.hvs');
    await expect(writeCheckpoint([{ name: 'a', dtype: 'float32', shape: [3], data: new Float32Array(4) }], out)).rejects.toThrow(/16 bytes; shape \[3\] of float32 needs 12/);
    await expect(writeCheckpoint([{ name: 'a', dtype: 'bool', shape: [2], data: Uint8Array.of(1, 2) }], out)).rejects.toThrow(/bool value 2/);
    await expect(writeCheckpoint([{ name: 'a', dtype: 'int8', shape: [], data: Int8Array.of(1) }, { name: 'a', dtype: 'int8', shape: [], data: Int8Array.of(1) }], out)).rejects.toThrow(/appears twice/);
    await expect(writeCheckpoint([{ name: 'a', dtype: 'int64', shape: [2], data: new Float64Array(2) }], out)).rejects.toThrow(ValidationError);
    expect(() => readFileSync(out)).toThrow();
  });
});

/** A safetensors file written by hand from the spec (independent of the writer under test). */
function safetensorsFile(entries: Array<{ name: string; code: string; shape: number[]; bytes: Uint8Array }>, metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let at = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.code, shape: e.shape, data_offsets: [at, at + e.bytes.length] };
    at += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, ...entries.map((e) => Buffer.from(e.bytes))]);
}

describe('safetensors interop', () => {
  const file = safetensorsFile(
    [
      { name: 'w', code: 'BF16', shape: [4, 3], bytes: bytesOf('bfloat16', [4, 3], 5) },
      { name: 'b', code: 'F16', shape: [3], bytes: bytesOf('float16', [3], 6) },
      { name: 'n', code: 'I64', shape: [], bytes: bytesOf('int64', [], 7) },
      { name: 'mask', code: 'BOOL', shape: [5], bytes: bytesOf('bool', [5], 8) },
    ],
    { format: 'pt', note: 'ünïcode' },
  );

  it('library: pack, open, unpack, byte for byte with __metadata__', async () => {
    writeFileSync(tmp.path('m.safetensors'), file);
    const r = await packSafetensors(tmp.path('m.safetensors'), tmp.path('m.hvs'), { chunkSize: 4096, workers: 1 });
    expect(r.checkpoint.tensors).toBe(4);
    const ck = await openCheckpoint(tmp.path('m.hvs'));
    expect(ck.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(ck.read('n').dtype).toBe('int64');
    ck.close();
    await unpackSafetensors(tmp.path('m.hvs'), tmp.path('back.safetensors'), { workers: 1 });
    expect(readFileSync(tmp.path('back.safetensors')).equals(file)).toBe(true);
  });

  it('a checkpoint written by writeCheckpoint unpacks to a safetensors file the spec reads', async () => {
    await writeCheckpoint([{ name: 'x', dtype: 'uint16', shape: [2], data: Uint16Array.of(1, 65535), metadata: { k: 'v' } }], tmp.path('w.hvs'), { metadata: { a: 'b' } });
    await unpack(tmp.path('w.hvs'), tmp.path('w.safetensors'));
    const raw = readFileSync(tmp.path('w.safetensors'));
    const n = Number(raw.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(raw.subarray(8, 8 + n).toString()) as Record<string, { data_offsets?: number[] }> & { __metadata__: Record<string, string> };
    expect(header.__metadata__).toEqual({ a: 'b', 'hivestream.tensor_metadata': '{"x":{"k":"v"}}' });
    expect(header.x).toEqual({ dtype: 'U16', shape: [2], data_offsets: [0, 4] });
    expect([...raw.subarray(8 + n)]).toEqual([1, 0, 255, 255]);
  });

  it('CLI: pack --from safetensors and unpack --to safetensors', async () => {
    writeFileSync(tmp.path('c.safetensors'), file);
    const p = await runCli(['pack', '--from', 'safetensors', tmp.path('c.safetensors'), '-o', tmp.path('c.hvs'), '--lz4', '-q']);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const u = await runCli(['unpack', '--to', 'safetensors', tmp.path('c.hvs'), '-o', tmp.path('c2.safetensors'), '-q']);
    expect(u.code).toBe(0);
    expect(readFileSync(tmp.path('c2.safetensors')).equals(file)).toBe(true);
    const wrong = await runCli(['unpack', '--to', 'safetensors', tmp.path('w.hvs'), '-o', tmp.path('x'), '-q']);
    expect(wrong.code).toBe(0); // w.hvs is a checkpoint too
    await streamModelWeights(new Float32Array(4), tmp.path('t.hvs'));
    const notCk = await runCli(['unpack', '--to', 'safetensors', tmp.path('t.hvs'), '-o', tmp.path('y'), '-q']);
    expect(notCk.code).toBe(17);
    expect(notCk.stderr).toMatch(/^hivestream: container holds "tensor\/1", expected "checkpoint\/1"/);
    const badFlag = await runCli(['pack', '--from', 'gguf', tmp.path('c.safetensors'), '-o', tmp.path('z')]);
    expect(badFlag.code).toBe(2);
  });

  it('bad safetensors headers: typed errors, nothing allocated for a claimed size, no output', async () => {
    const cases: Array<[string, Buffer, new (...a: never[]) => Error, RegExp]> = [];
    const huge = Buffer.from(file);
    huge.writeBigUInt64LE(1n << 40n, 0);
    cases.push(['size over the limit', huge, FrameTooLargeError, /safetensors header claims 1099511627776 bytes, over the limit of 100000000/]);
    const past = Buffer.from(file);
    past.writeBigUInt64LE(BigInt(file.length), 0);
    cases.push(['size past the end', past, TruncatedStreamError, /safetensors header claims/]);
    cases.push(['data missing', file.subarray(0, file.length - 1), FormatError, /tensors end at byte/]);
    cases.push(['unknown dtype', safetensorsFile([{ name: 'q', code: 'F8_E4M3', shape: [1], bytes: new Uint8Array(1) }]), FormatError, /dtype "F8_E4M3"/]);
    cases.push(['wrong byte count', safetensorsFile([{ name: 'q', code: 'F32', shape: [2], bytes: new Uint8Array(4) }]), FormatError, /spans 4 bytes; shape \[2\] of float32 needs 8/]);
    const gap = safetensorsFile([{ name: 'q', code: 'U8', shape: [1], bytes: new Uint8Array(1) }]);
    cases.push(['gap', Buffer.from(gap.toString('latin1').replace('[0,1]', '[1,2]'), 'latin1'), FormatError, /starts at data byte 1, expected 0/]);
    cases.push(['not JSON', Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{{')]), FormatError, /not UTF-8 JSON/]);
    for (const [what, bytes, type, message] of cases) {
      writeFileSync(tmp.path('bad.safetensors'), bytes);
      const err = await packSafetensors(tmp.path('bad.safetensors'), tmp.path('bad.hvs')).then(() => undefined, (e: unknown) => e);
      expect(err, what).toBeInstanceOf(type);
      expect((err as Error).message, what).toMatch(message);
      expect(() => readFileSync(tmp.path('bad.hvs')), what).toThrow();
    }
    const cli = await runCli(['pack', '--from', 'safetensors', tmp.path('bad.safetensors'), '-o', tmp.path('bad.hvs')]);
    expect(cli.code).toBe(3);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a damaged container: a flipped data byte fails that tensor only, a cut file fails at open', async () => {
    const path = tmp.path('damaged.hvs');
    await writeCheckpoint([{ name: 'a', dtype: 'uint8', shape: [20000], data: bytesOf('uint8', [20000], 3) }, { name: 'b', dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) }], path, { chunkSize: 4096 });
    const bytes = readFileSync(path);
    const flipped = Buffer.from(bytes);
    const at = Math.floor(bytes.length / 3);
    flipped[at] = (flipped[at] ?? 0) ^ 1;
    writeFileSync(tmp.path('flipped.hvs'), flipped);
    const ck = await openCheckpoint(tmp.path('flipped.hvs'));
    expect(() => ck.read('a')).toThrow(ChecksumMismatchError);
    expect(ck.read('b').data).toEqual(Int32Array.of(1, 2));
    ck.close();
    writeFileSync(tmp.path('cut.hvs'), bytes.subarray(0, bytes.length - 100));
    await expect(openCheckpoint(tmp.path('cut.hvs'))).rejects.toThrow(TruncatedStreamError);
  });

  it('another container is not a checkpoint', async () => {
    await streamModelWeights(new Float32Array(2), tmp.path('single.hvs'));
    await expect(openCheckpoint(tmp.path('single.hvs'))).rejects.toThrow(ContentTypeError);
  });
});

describe('single-tensor weights keep working with the new dtypes', () => {
  it('int64, bfloat16 and a 0-d tensor with metadata', async () => {
    const i64 = BigInt64Array.of(16777217n, -1n, 9007199254740993n);
    await streamModelWeights(i64, tmp.path('i64.hvs'), { metadata: { name: 'ids' } });
    const back = await readModelWeights(tmp.path('i64.hvs'), { dtype: 'int64' });
    expect(back.data).toEqual(i64);
    await streamModelWeights({ dtype: 'bfloat16', shape: [], data: Uint16Array.of(0x3f80) }, tmp.path('bf.hvs'));
    const bf = await readModelWeights(tmp.path('bf.hvs'));
    expect(bf.shape).toEqual([]);
    expect(bf.data).toEqual(Uint16Array.of(0x3f80));
  });
});
