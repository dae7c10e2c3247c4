// How a HiveError class counts classes defined outside hivestream (the
// resilience library's errors) as its own: see HiveError[Symbol.hasInstance].

/**
 * `value instanceof cls`, where `owner` (cls or one of its bases) also counts
 * instances of the `foreign` class as its own. Subclasses of `owner` keep the
 * ordinary prototype check: only `owner` itself admits the foreign class.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any class: only its prototype is read
export function admits(cls: Function, owner: Function, value: unknown, foreign: Function): boolean {
  return Function.prototype[Symbol.hasInstance].call(cls, value) || (cls === owner && value instanceof foreign);
}
