// Builds containers record by record, digests and all, so a test can break
// exactly one chain rule while every digest stays valid (a forged but
// self-consistent container): what only the chain rules can catch.
import { createHash } from 'node:crypto';
import { encodeBlockPrefix } from '../../dist/format/block.js';
import { createHeader } from '../../dist/format/header.js';
import { encodeHead, encodeTail } from '../../dist/format/record.js';

export interface ForgedRecord {
  offset: number;
  data: Uint8Array;
  final: boolean;
  /** Sequence number written (default: the record's index). */
  sequence?: number;
  /** Extra metadata entries (on a final record: after the header digest). */
  metadata?: Array<[string, string]>;
}

export interface ForgeOptions {
  chunkSize: number;
  /** Root digest written on final records (default: the right one). */
  root?: (digests: Uint8Array[]) => Uint8Array;
  /** Header digest written on final records (default: the right one). */
  headerDigestHex?: (real: string) => string;
  /** Header hivestream.boundary: the delimiter byte (default: none, fixed-size chunks). */
  boundary?: number;
}

const sha256 = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest();

/** The tail of a non-final record: final=false, root=null, then a metadata map (normally empty). */
function plainTail(entries: Array<[string, string]>): Uint8Array {
  const bytes: number[] = [0, 0];
  const str = (t: string): void => {
    const b = Buffer.from(t);
    bytes.push(b.length * 2, ...b);
  };
  if (entries.length > 0) {
    bytes.push(entries.length * 2);
    for (const [k, v] of entries) {
      str(k);
      str(v);
    }
  }
  bytes.push(0);
  return Uint8Array.from(bytes);
}

export function forge(records: ForgedRecord[], o: ForgeOptions): Buffer {
  const { header, bytes } = createHeader({ chunkSize: o.chunkSize, boundary: o.boundary });
  const parts: Uint8Array[] = [bytes];
  const digests: Uint8Array[] = [];
  records.forEach((r, i) => {
    const digest = sha256(r.data);
    digests.push(digest);
    const head = new Uint8Array(128);
    const headEnd = encodeHead(head, 0, { sequence: r.sequence ?? i, offset: r.offset, length: r.data.length, codec: 0, sha256: digest, storedLength: r.data.length });
    const root = o.root?.(digests) ?? sha256(Buffer.concat(digests));
    const headerHex = o.headerDigestHex?.(header.digestHex) ?? header.digestHex;
    const tail = r.final ? encodeTail(root, headerHex, r.metadata ?? []) : plainTail(r.metadata ?? []);
    const prefix = new Uint8Array(20);
    const prefixEnd = encodeBlockPrefix(prefix, 0, headEnd + r.data.length + tail.length);
    parts.push(prefix.subarray(0, prefixEnd), head.subarray(0, headEnd), r.data, tail, header.sync);
  });
  return Buffer.concat(parts);
}

/** Records of a well-formed container: `data` cut into `chunkSize` pieces, the last final. */
export function chunksOf(data: Uint8Array, chunkSize: number): ForgedRecord[] {
  const out: ForgedRecord[] = [];
  for (let offset = 0; offset < data.length || out.length === 0; offset += chunkSize) {
    out.push({ offset, data: data.subarray(offset, offset + chunkSize), final: false });
  }
  const last = out[out.length - 1];
  if (last !== undefined) last.final = true;
  return out;
}
