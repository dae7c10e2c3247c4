// The container's chain rules, in one place. Every reader (unpack, verify,
// readChunks, inspect) hands each record to a ChainVerifier in sequence
// order, after the record itself decoded and (for all but inspect) its data
// matched its digest:
// - offsets follow without gaps; every chunk but the final one is full, or,
//   in a container whose header names a boundary (hivestream.boundary),
//   holds 1 to chunk_size bytes and ends with the delimiter byte; the final
//   one is empty only when it is the only one;
// - exactly one final chunk, and nothing after it;
// - the final record's root equals SHA-256 over the chunk digests in order;
// - the final record carries the header's SHA-256 and it matches;
// - a signature on the final record verifies (format/signature.ts), and with
//   a public key given, one by that key is required.
import { createHash, type KeyObject } from 'node:crypto';
import { ChecksumMismatchError, FormatError, TruncatedStreamError } from '../errors.js';
import { toHex } from '../util/hex.js';
import { checkSignature } from './signature.js';

/** What the chain needs to know of one record. */
export interface ChainLink {
  sequence: number;
  /** Container offset of the record (errors name it). */
  at: number;
  offset: number;
  length: number;
  final: boolean;
  /** The chunk's last raw byte, when the reader has the raw bytes (a boundary container's non-final chunks end with its delimiter). */
  lastByte?: number | undefined;
  /** The chunk's digest, or null when the record did not decode (report mode). */
  digest: Uint8Array | null;
  /** Final record: its root digest and the header digest it carries (null when it carries none). */
  root?: Uint8Array;
  headerDigest?: Uint8Array | null;
  /** Final record: its metadata (where a signature is). */
  metadata?: ReadonlyMap<string, string>;
}

export interface ChainOptions {
  /** Require a signature by this key (Ed25519). */
  publicKey?: KeyObject | undefined;
}

export class ChainVerifier {
  private expectedOffset = 0;
  private finalSeen = false;
  private readonly rootHash = createHash('sha256');
  /** False once a record did not decode: the root can no longer be computed. */
  private rootComputable = true;
  private rootMatched = false;
  /** The root digest (hex) once the final record was checked. */
  root = '';
  /**
   * When true, a root that does not match is noted (`verified` is false)
   * instead of thrown: for readers that go on past corrupt chunks.
   */
  tolerateRootMismatch = false;
  /** Fingerprint of the key that signed the container, once the final record was checked (undefined: unsigned). */
  signer: string | undefined;

  constructor(
    private readonly header: { chunkSize: number; digestHex: string; boundary?: number | undefined },
    private readonly options: ChainOptions = {},
  ) {}

  get ended(): boolean {
    return this.finalSeen;
  }

  /** True when the final record was seen and its root and header digest matched. */
  get verified(): boolean {
    return this.finalSeen && this.rootMatched;
  }

  /** Next raw offset the chain expects (where an undecodable record is assumed to start). */
  get nextOffset(): number {
    return this.expectedOffset;
  }

  /** Checks the next record in sequence order; throws the error that ends the read. */
  next(link: ChainLink): void {
    const { sequence, at, offset, length } = link;
    if (this.finalSeen) throw new FormatError('data after the final chunk', { sequence, offset: at });
    if (offset !== this.expectedOffset) {
      throw new FormatError(`offset ${offset} does not follow the previous chunks (expected ${this.expectedOffset})`, { sequence, offset: at, field: 'offset' });
    }
    if (!link.final) this.checkNonFinal(link);
    // An empty chunk is the whole of an empty stream, never the end of a longer one.
    if (link.final && length === 0 && sequence > 0) {
      throw new FormatError('empty final chunk after full chunks (only an empty stream has an empty chunk)', { sequence, offset: at, field: 'length' });
    }
    if (link.digest === null) this.rootComputable = false;
    else this.rootHash.update(link.digest);
    this.expectedOffset += length;
    if (link.final) {
      this.finalSeen = true;
      if (link.root !== undefined) this.checkFinal(link, link.root);
    }
  }

  /** Fixed-size chunks: every non-final one is full. Delimited chunks: not empty, and ending with the delimiter. */
  private checkNonFinal(link: ChainLink): void {
    const { sequence, at, length } = link;
    const { chunkSize, boundary } = this.header;
    if (boundary === undefined) {
      if (length !== chunkSize) throw new FormatError(`non-final chunk of ${length} bytes in a container of ${chunkSize}-byte chunks`, { sequence, offset: at, field: 'length' });
      return;
    }
    if (length === 0) throw new FormatError('empty non-final chunk in a container of delimited chunks', { sequence, offset: at, field: 'length' });
    if (link.lastByte !== undefined && link.lastByte !== boundary) {
      throw new FormatError(`non-final chunk ends with byte 0x${link.lastByte.toString(16).padStart(2, '0')}, not the delimiter 0x${boundary.toString(16).padStart(2, '0')}`, { sequence, offset: at, field: 'data' });
    }
  }

  /** The container ended after `total` records at byte `end`: it must have had its final chunk. */
  end(total: number, end: number): void {
    if (!this.finalSeen) throw new TruncatedStreamError(end, 'the final chunk is missing', total);
  }

  private checkFinal(link: ChainLink, stored: Uint8Array): void {
    const storedHex = toHex(stored);
    if (this.rootComputable) {
      const computed = this.rootHash.digest('hex');
      this.rootMatched = computed === storedHex;
      if (!this.rootMatched && !this.tolerateRootMismatch) throw new ChecksumMismatchError(-1, link.at, storedHex, computed);
    }
    if (link.headerDigest === null || link.headerDigest === undefined) {
      throw new FormatError('final chunk lacks the header digest', { sequence: link.sequence, offset: link.at, field: 'metadata' });
    }
    if (toHex(link.headerDigest) !== this.header.digestHex) {
      throw new FormatError('container header was altered: its SHA-256 differs from the one in the final chunk', { sequence: link.sequence, offset: 0, field: 'header' });
    }
    this.signer = checkSignature(link.metadata ?? new Map<string, string>(), stored, link.headerDigest, this.options.publicKey, { sequence: link.sequence, offset: link.at });
    this.root = storedHex;
  }
}
