// Signed containers: an Ed25519 signature (node:crypto) over the root digest
// and the header digest, stored in the final record's metadata. The digests
// make a container self-consistent; only a signature says who made it
// (docs/SECURITY.md). The signed message is domain-separated, so a signature
// made for a container cannot be passed off as one over anything else.
import { KeyObject, createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { SignatureError, ValidationError } from '../errors.js';
import { DIGEST_SIZE } from './constants.js';

/** Final-record metadata key: `ed25519:<public key, base64>:<signature, base64>`. */
export const SIGNATURE_KEY = 'hivestream.signature';

const DOMAIN = Buffer.from('hivestream container signature v1\0', 'latin1');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const VALUE = /^ed25519:([A-Za-z0-9+/]{43}=):([A-Za-z0-9+/]{86}==)$/;

/** What a private key may be given as: a KeyObject or PEM text (PKCS#8). */
export type SigningKeyInput = KeyObject | string | Uint8Array;
/** What a public key may be given as: a KeyObject, PEM text (SPKI), or the raw 32 bytes. */
export type PublicKeyInput = KeyObject | string | Uint8Array;

function message(root: Uint8Array, headerDigest: Uint8Array): Buffer {
  return Buffer.concat([DOMAIN, root, headerDigest]);
}

/** The raw 32-byte public key of an Ed25519 key. */
function rawPublic(key: KeyObject): Buffer {
  const der = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
  return der.subarray(ED25519_SPKI_PREFIX.length);
}

/** `SHA256:` and the unpadded base64 SHA-256 of the raw public key: how a signer is named. */
export function fingerprint(rawKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(rawKey).digest('base64').replace(/=+$/, '')}`;
}

function describeKey(key: KeyObject): string {
  return key.asymmetricKeyType === undefined ? 'a secret key' : `an ${key.asymmetricKeyType} key`;
}

/** Checks and converts a signing key (field names the option in errors). */
export function toSigningKey(input: SigningKeyInput, field = 'signingKey'): KeyObject {
  let key: KeyObject;
  try {
    key = input instanceof KeyObject ? input : createPrivateKey(typeof input === 'string' ? input : Buffer.from(input));
  } catch (cause) {
    throw new ValidationError(field, `not a private key in PEM (PKCS#8) form: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new ValidationError(field, `${describeKey(key)} (${key.type}); signing needs an Ed25519 private key`);
  return key;
}

/** Checks and converts a public key: PEM (SPKI, or a private key whose public half is meant), or raw 32 bytes. */
export function toPublicKey(input: PublicKeyInput, field = 'publicKey'): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) key = input;
    else if (input instanceof Uint8Array && input.length === 32) key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, input]), format: 'der', type: 'spki' });
    else key = createPublicKey(typeof input === 'string' ? input : Buffer.from(input));
  } catch (cause) {
    throw new ValidationError(field, `not a public key in PEM (SPKI) form or 32 raw bytes: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ValidationError(field, `${describeKey(key)}; signatures are Ed25519`);
  return key.type === 'private' ? createPublicKey(key) : key;
}

export interface Signer {
  /** Fingerprint of the public key. */
  readonly fingerprint: string;
  /** The final record's metadata entry that signs this root and header digest. */
  entry(root: Uint8Array, headerDigest: Uint8Array): [string, string];
}

export function signer(input: SigningKeyInput): Signer {
  const key = toSigningKey(input);
  const pub = rawPublic(key);
  return {
    fingerprint: fingerprint(pub),
    entry: (root, headerDigest) => [SIGNATURE_KEY, `ed25519:${pub.toString('base64')}:${sign(null, message(root, headerDigest), key).toString('base64')}`],
  };
}

/**
 * Checks the signature a final record carries (if any) over its root and
 * header digest. With `expected`, one is required and must be made by that
 * key. Returns the signer's fingerprint, or undefined for an unsigned
 * container (allowed only without `expected`).
 */
export function checkSignature(
  metadata: ReadonlyMap<string, string>,
  root: Uint8Array,
  headerDigest: Uint8Array,
  expected: KeyObject | undefined,
  where: { sequence: number; offset: number },
): string | undefined {
  const value = metadata.get(SIGNATURE_KEY);
  if (value === undefined) {
    if (expected !== undefined) throw new SignatureError('missing', 'the container is not signed, and a signature by the given key is required', where);
    return undefined;
  }
  const m = VALUE.exec(value);
  if (m === null || root.length !== DIGEST_SIZE || headerDigest.length !== DIGEST_SIZE) {
    throw new SignatureError('malformed', `${SIGNATURE_KEY} is not "ed25519:<key>:<signature>" in base64`, where);
  }
  const pub = Buffer.from(m[1] ?? '', 'base64');
  const sig = Buffer.from(m[2] ?? '', 'base64');
  const signerPrint = fingerprint(pub);
  if (expected !== undefined) {
    const want = rawPublic(expected);
    if (!want.equals(pub)) throw new SignatureError('wrong-key', `signed by ${signerPrint}, not by the given key ${fingerprint(want)}`, where);
  }
  let ok: boolean;
  try {
    ok = verify(null, message(root, headerDigest), toPublicKey(pub), sig);
  } catch {
    ok = false;
  }
  if (!ok) throw new SignatureError('invalid', `the signature by ${signerPrint} does not match the container's root and header digests`, where);
  return signerPrint;
}
