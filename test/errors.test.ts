import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ChecksumMismatchError,
  CircuitBreaker,
  FakeClock,
  FormatError,
  HiveError,
  InputError,
  IoError,
  Retry,
  RetryExhaustedError,
  Timeout,
  TimeoutError,
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

  it('makes every bad-input error an InputError, and nothing else', () => {
    expect(new FormatError('bad magic')).toBeInstanceOf(InputError);
    expect(new ValidationError('x', 'bad')).toBeInstanceOf(InputError);
    for (const err of [new IoError('open', '/x'), new CircuitOpenError(), new AbortError(), new HiveError('x'), new Error('x')]) {
      expect(err).not.toBeInstanceOf(InputError);
      expect(isBadInputError(err)).toBe(false);
    }
    // Subclasses keep the ordinary check.
    expect(new FormatError('x')).not.toBeInstanceOf(ValidationError);
    expect(new ValidationError('x', 'y')).not.toBeInstanceOf(FormatError);
    expect(new AbortError()).not.toBeInstanceOf(CircuitOpenError);
    expect({ code: 'E_VALIDATION', exitCode: 2 }).not.toBeInstanceOf(HiveError);
  });
});

describe('errors of the resilience controllers, used directly', () => {
  it('are HiveErrors with their codes and exit codes', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 1 });
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    const refused = await breaker.execute(() => Promise.resolve(1)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toBeInstanceOf(HiveError);
    expect(refused).toMatchObject({ code: 'E_CIRCUIT_OPEN', exitCode: 8, name: 'CircuitOpenError' });

    const exhausted = await new Retry({ maxAttempts: 1 }).execute(() => Promise.reject(new Error('x'))).catch((e: unknown) => e);
    expect(exhausted).toBeInstanceOf(RetryExhaustedError);
    expect(exhausted).toBeInstanceOf(HiveError);

    const ctl = new AbortController();
    ctl.abort();
    const aborted = await new Timeout({ timeoutMs: 10, clock }).execute(() => Promise.resolve(1), ctl.signal).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(AbortError);
    expect(aborted).toBeInstanceOf(HiveError);
    expect(new TimeoutError(5)).toBeInstanceOf(HiveError);
  });

  it('reject a bad option with the ValidationError users catch, a bad-input HiveError', () => {
    let err: unknown;
    try {
      new CircuitBreaker({ failureThreshold: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toBeInstanceOf(HiveError);
    expect(isBadInputError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'E_VALIDATION', exitCode: 2, field: 'circuitBreaker.failureThreshold' });
  });
});
