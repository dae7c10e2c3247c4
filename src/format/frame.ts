// Framing chunk records into container blocks without copying chunk bytes:
// a batch of records becomes a writev list of [prefix+head] and [data]
// buffers, the data views pointing wherever the chunk lives (the ring). One
// place for the framing rules, used by the pack writer (main thread) and by
// workers that pack whole small files themselves.
import { createHash, type Hash } from 'node:crypto';
import { BLOCK_PREFIX_MAX, encodeBlockPrefix } from './block.js';
import { CODEC_LZ4, DIGEST_SIZE } from './constants.js';
import type { ContainerHeader } from './header.js';
import { encodeHead, encodeTail, headSize } from './record.js';
import { MAX_VARINT_BYTES } from './varint.js';
import type { Signer } from './signature.js';

/** Scratch bytes per record: block prefix, head (4 longs, digest, data length), plain tail, sync. */
const SCRATCH_PER_RECORD = BLOCK_PREFIX_MAX + 5 * MAX_VARINT_BYTES + DIGEST_SIZE + 3 + 16;
/** Extra room for the final record's tail (root digest, header digest, a signature). */
const FINAL_TAIL_MAX = 512;

export interface FramedChunk {
  sequence: number;
  offset: number;
  length: number;
  codec: number;
  digest: Uint8Array;
  /** The stored bytes (raw, or LZ4 with its size prefix). */
  data: Uint8Array;
  final: boolean;
}

/** Frames a container's records in order, keeping the root digest as it goes. */
export class RecordFramer {
  private readonly rootHash: Hash = createHash('sha256');
  /** The root digest (hex) once the final record was framed. */
  root = '';
  storedBytes = 0;
  rawBytes = 0;
  compressedChunks = 0;

  constructor(
    private readonly header: ContainerHeader,
    /** Signs the final record (root and header digests), when given. */
    private readonly signer?: Signer,
  ) {}

  /** The buffers to write for these records, in order (a batch of one scratch buffer plus data views). */
  frame(chunks: readonly FramedChunk[]): Uint8Array[] {
    const { header } = this;
    const scratch = new Uint8Array(chunks.length * SCRATCH_PER_RECORD + FINAL_TAIL_MAX);
    const iov: Uint8Array[] = [];
    let pos = 0;
    let segment = 0;
    for (const c of chunks) {
      this.rootHash.update(c.digest);
      if (c.final) this.root = this.rootHash.copy().digest('hex');
      const root = c.final ? Buffer.from(this.root, 'hex') : null;
      const tail = encodeTail(root, header.digestHex, root === null || this.signer === undefined ? [] : [this.signer.entry(root, Buffer.from(header.digestHex, 'hex'))]);
      const head = { sequence: c.sequence, offset: c.offset, length: c.length, codec: c.codec, sha256: c.digest, storedLength: c.data.length };
      const blockStart = pos;
      pos = encodeBlockPrefix(scratch, pos, headSize(head) + c.data.length + tail.length);
      pos = encodeHead(scratch, pos, head);
      // [tail+sync of the previous, prefix, head] then [data].
      iov.push(scratch.subarray(segment, pos));
      if (c.data.length > 0) iov.push(c.data);
      segment = pos;
      scratch.set(tail, pos);
      pos += tail.length;
      scratch.set(header.sync, pos);
      pos += header.sync.length;
      this.storedBytes += pos - blockStart + c.data.length;
      this.rawBytes += c.length;
      if (c.codec === CODEC_LZ4) this.compressedChunks++;
    }
    iov.push(scratch.subarray(segment, pos));
    return iov;
  }
}
