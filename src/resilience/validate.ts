// Option checks shared by the controllers: nonsense (negative delays, rates
// over 1, fractional counts) fails at construction, not at 3 a.m.
import { ValidationError } from './errors.js';

export function checkInteger(field: string, value: number, min: number, allowInfinity = false): number {
  if (allowInfinity && value === Infinity) return value;
  if (!Number.isSafeInteger(value) || value < min) {
    const inf = allowInfinity ? ' (or Infinity)' : '';
    throw new ValidationError(field, `must be an integer >= ${min}${inf}, got ${String(value)}`);
  }
  return value;
}

export function checkNumber(field: string, value: number, min: number, allowInfinity = false): number {
  if (allowInfinity && value === Infinity) return value;
  if (!Number.isFinite(value) || value < min) {
    const inf = allowInfinity ? ' (or Infinity)' : '';
    throw new ValidationError(field, `must be a finite number >= ${min}${inf}, got ${String(value)}`);
  }
  return value;
}

export function checkPositive(field: string, value: number, allowInfinity = false): number {
  checkNumber(field, value, 0, allowInfinity);
  if (value === 0) throw new ValidationError(field, 'must be greater than 0');
  return value;
}

/** A fraction in (0, 1]. */
export function checkRate(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new ValidationError(field, `must be a number in (0, 1], got ${String(value)}`);
  }
  return value;
}

export function checkFunction(field: string, value: unknown): void {
  if (typeof value !== 'function') throw new ValidationError(field, 'must be a function');
}
