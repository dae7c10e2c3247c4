// The container's chain rules, in one place. Every reader (unpack, verify,
// readChunks, inspect) hands each record to a ChainVerifier in sequence
// order, after the record itself decoded and (for all but inspect) its data
// matched its digest:
// - offsets follow without gaps, every chunk but the final one is full;
// - exactly one final chunk, and nothing after it;
// - the final record's root equals SHA-256 over the chunk digests in order;
// - the final record carries the header's SHA-256 and it matches.
import { createHash } from 'node:crypto';
import { ChecksumMismatchError, FormatError, TruncatedStreamError } from '../errors.js';
import { toHex } from '../util/hex.js';

/** What the chain needs to know of one record. */
export interface ChainLink {
  sequence: number;
  /** Container offset of the record (errors name it). */
  at: number;
  offset: number;
  length: number;
  final: boolean;
  /** The chunk's digest, or null when the record did not decode (report mode). */
  digest: Uint8Array | null;
  /** Final record: its root digest and the header digest it carries (null when it carries none). */
  root?: Uint8Array;
  headerDigest?: Uint8Array | null;
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

  constructor(private readonly header: { chunkSize: number; digestHex: string }) {}

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
    if (!link.final && length !== this.header.chunkSize) {
      throw new FormatError(`non-final chunk of ${length} bytes in a container of ${this.header.chunkSize}-byte chunks`, { sequence, offset: at, field: 'length' });
    }
    if (link.digest === null) this.rootComputable = false;
    else this.rootHash.update(link.digest);
    this.expectedOffset += length;
    if (link.final) {
      this.finalSeen = true;
      if (link.root !== undefined) this.checkFinal(link, link.root);
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
    this.root = storedHex;
  }
}
