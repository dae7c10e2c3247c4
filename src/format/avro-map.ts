// Avro maps as hivestream writes them: one block of entries, then the end
// marker. Header metadata (map<bytes>) and the final record's metadata
// (map<string>, UTF-8 bytes) share this encoder.
import { longSize, writeLong } from './varint.js';

export function encodeMap(entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  let size = longSize(entries.length) + 1;
  for (const [k, v] of entries) size += longSize(k.length) + k.length + longSize(v.length) + v.length;
  const out = new Uint8Array(size);
  let pos = entries.length === 0 ? 0 : writeLong(out, 0, entries.length);
  for (const [k, v] of entries) {
    pos = writeLong(out, pos, k.length);
    out.set(k, pos);
    pos += k.length;
    pos = writeLong(out, pos, v.length);
    out.set(v, pos);
    pos += v.length;
  }
  out[pos] = 0;
  return out.subarray(0, pos + 1);
}
