import { describe, expect, it } from 'vitest';
import { readLong, writeLong, longSize } from '../../dist/format/varint.js';
import { encodeHead, encodeTail, decodeRecord } from '../../dist/format/record.js';
import { chunkType, headerMapType } from '../../dist/format/avro-types.js';
import { createHeader, parseHeader } from '../../dist/format/header.js';
import { FormatError } from '../../dist/index.js';

describe('varint', () => {
  it('round-trips zig-zag longs across the safe range, matching avsc', () => {
    const values = [0, 1, -1, 63, -64, 64, 127, 128, 300, -300, 2 ** 31 - 1, -(2 ** 31), 2 ** 40 + 5, Number.MAX_SAFE_INTEGER >> 1];
    for (const v of values) {
      const buf = new Uint8Array(10);
      const end = writeLong(buf, 0, v);
      expect(end).toBe(longSize(v));
      const r = readLong(buf, 0, end);
      expect(r).toEqual({ ok: true, value: v, next: end });
    }
  });

  it('reports truncation and over-long encodings instead of guessing', () => {
    expect(readLong(Uint8Array.of(0x80, 0x80), 0, 2)).toEqual({ ok: false, reason: 'truncated' });
    expect(readLong(new Uint8Array(11).fill(0xff), 0, 11)).toEqual({ ok: false, reason: 'overlong' });
    expect(readLong(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0, 9)).toEqual({ ok: false, reason: 'unsafe' });
  });
});

describe('record encoding', () => {
  const sha = new Uint8Array(32).map((_, i) => i * 7);
  const data = new Uint8Array(300).map((_, i) => i % 251);

  function encode(final: boolean): Uint8Array {
    const head = new Uint8Array(200);
    const headEnd = encodeHead(head, 0, { sequence: 5, offset: 5 * 4096, length: 300, codec: 0, sha256: sha, storedLength: data.length });
    const tail = encodeTail(final ? sha : null, 'ab'.repeat(32));
    return Buffer.concat([head.subarray(0, headEnd), data, tail]);
  }

  it('is byte-identical to what avsc encodes for the same record', () => {
    for (const final of [false, true]) {
      const ours = encode(final);
      const theirs = chunkType().toBuffer({
        sequence: 5,
        offset: 5 * 4096,
        length: 300,
        codec: 'NONE',
        sha256: Buffer.from(sha),
        data: Buffer.from(data),
        final,
        root: final ? Buffer.from(sha) : null,
        metadata: final ? { 'hivestream.header_sha256': 'ab'.repeat(32) } : {},
      });
      expect(Buffer.from(ours).equals(theirs)).toBe(true);
    }
  });

  it('decodes what it encodes and names the field that is wrong', () => {
    const rec = encode(true);
    const d = decodeRecord(rec, 0, rec.length, { sequence: 5, baseOffset: 1000, chunkSize: 4096 });
    expect(d).toMatchObject({ sequence: 5, offset: 20480, length: 300, codec: 0, final: true, dataLength: 300 });
    expect(d.metadata.get('hivestream.header_sha256')).toBe('ab'.repeat(32));
    expect(() => decodeRecord(rec, 0, rec.length, { sequence: 6, baseOffset: 1000, chunkSize: 4096 })).toThrow(/expected sequence 6, found 5 \(chunk 6, byte offset 1000, field sequence\)/);
    expect(() => decodeRecord(rec, 0, rec.length - 1, { sequence: 5, baseOffset: 0, chunkSize: 4096 })).toThrow(FormatError);
    expect(() => decodeRecord(rec, 0, rec.length, { sequence: 5, baseOffset: 0, chunkSize: 200 })).toThrow(/length 300 outside 0..200/);
  });
});

describe('header', () => {
  it('accepts the chunk schema rewritten by another tool (same canonical form), rejects another schema', () => {
    const limits = { maxChunkSize: 1 << 26, maxHeaderBytes: 1 << 20 };
    const { bytes } = createHeader({ chunkSize: 4096 });
    const text = Buffer.from(bytes).toString('latin1');
    const schema = JSON.stringify(JSON.parse(text.slice(text.indexOf('{"type"'), text.indexOf('}]}') + 3)) as object);
    const pretty = JSON.stringify(JSON.parse(schema) as object, null, 1);
    const rewrite = (s: string): Uint8Array => {
      // Rebuild the header with the schema value replaced (its length prefix changes).
      const map: Array<[string, string]> = [];
      for (const key of ['avro.schema', 'avro.codec', 'hivestream.format', 'hivestream.chunk_size', 'hivestream.hash', 'hivestream.stream_id']) {
        map.push([key, key === 'avro.schema' ? s : key === 'avro.codec' ? 'null' : key === 'hivestream.format' ? '1' : key === 'hivestream.chunk_size' ? '4096' : key === 'hivestream.hash' ? 'sha256' : '8a6a4f3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b']);
      }
      const enc = headerMapType().toBuffer(Object.fromEntries(map.map(([k, v]) => [k, Buffer.from(v)])));
      return Buffer.concat([bytes.subarray(0, 4), enc, bytes.subarray(bytes.length - 16)]);
    };
    expect(parseHeader(rewrite(pretty), true, limits)).toMatchObject({ chunkSize: 4096 });
    expect(() => parseHeader(rewrite(schema.replace('"Chunk"', '"Other"')), true, limits)).toThrow(/schema is not hivestream.Chunk format 1/);
  });

  it('parses what it writes, incrementally', () => {
    const { header, bytes } = createHeader({ chunkSize: 65536, source: 'x.bin' });
    const limits = { maxChunkSize: 1 << 26, maxHeaderBytes: 1 << 20 };
    expect(parseHeader(bytes.subarray(0, 100), false, limits)).toEqual({ needMore: true });
    const parsed = parseHeader(bytes, true, limits);
    // The metadata map is encoded exactly as avsc encodes map<bytes>.
    const map = bytes.subarray(4, bytes.length - 16);
    const meta = Object.fromEntries([...header.metadata].map(([k, v]) => [k, Buffer.from(v)]));
    expect(Buffer.from(map).equals(headerMapType().toBuffer(meta))).toBe(true);
    expect(parsed).toMatchObject({ chunkSize: 65536, source: 'x.bin', streamId: header.streamId, length: bytes.length, digestHex: header.digestHex });
  });
});
