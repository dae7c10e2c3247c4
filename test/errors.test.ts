import { describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  HiveError,
  IoError,
  ValidationError,
  isBadInputError,
  CircuitOpenError,
} from '../dist/index.js';

describe('error hierarchy', () => {
  it('roots every error at HiveError with a stable code and exit code', () => {
    const err = new ValidationError('chunkSize', 'must be at least 4 KiB');
    expect(err).toBeInstanceOf(HiveError);
    expect(err.code).toBe('E_VALIDATION');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('invalid chunkSize: must be at least 4 KiB');
    expect(err.name).toBe('ValidationError');
  });

  it('names the chunk and offset of a checksum mismatch', () => {
    const err = new ChecksumMismatchError(7, 1234, 'aa'.repeat(32), 'bb'.repeat(32), 7 * 65536);
    expect(err.message).toContain('chunk 7');
    expect(err.message).toContain('byte offset 1234');
    expect(err.message).toContain('stream offset 458752');
    expect(isBadInputError(err)).toBe(true);
    expect(isBadInputError(new CircuitOpenError())).toBe(false);
  });

  it('wraps errno errors with a readable line and keeps the cause', () => {
    const cause = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const err = new IoError('open', '/nope', { cause });
    expect(err.message).toBe('cannot open /nope: no such file or directory (ENOENT)');
    expect(err.cause).toBe(cause);
    expect(err.errno).toBe('ENOENT');
  });
});
