// Key files named on the command line: --sign <private key PEM> and --key
// <public key PEM>. Read here, checked by the library (format/signature.ts).
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { IoError } from '../errors.js';
import { toPublicKey, toSigningKey } from '../format/signature.js';
import { str, type ParsedArgs } from './command.js';

/** The key in the file named by --sign (private) or --key (public), if given. */
export function keyFile(args: ParsedArgs, option: 'sign' | 'key'): KeyObject | undefined {
  const text = readKey(args, option);
  if (text === undefined) return undefined;
  return option === 'sign' ? toSigningKey(text, '--sign') : toPublicKey(text, '--key');
}

function readKey(args: ParsedArgs, option: string): string | undefined {
  const path = str(args, option);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new IoError('read key file', path, { cause });
  }
}

export const SIGN_HELP = '      --sign <key.pem>   sign the container with this Ed25519 private key (PEM, PKCS#8)';
export const KEY_HELP = '      --key <pub.pem>    require a valid signature by this Ed25519 public key (PEM)';
