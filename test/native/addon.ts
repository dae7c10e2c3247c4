// The native addon for the tests in this folder, or why it is missing (the
// tests then skip, except where HIVESTREAM_REQUIRE_NATIVE=1 demands it).
import { isNativeAvailable, loadNative, type NativeAddon } from '../../dist/engine/backends/native.js';

const loaded = loadNative();

export const addon: NativeAddon | undefined = isNativeAvailable(loaded) ? loaded : undefined;

/** Suffix for suite names: says why a suite was skipped. */
export const skipNote = isNativeAvailable(loaded) ? '' : ` (skipped: native addon unavailable: ${loaded.error})`;

export function native(): NativeAddon {
  if (addon === undefined) throw new Error(`native addon unavailable${skipNote}`);
  return addon;
}

/** Float64Array of jobs from rows of numbers. */
export function jobs(rows: readonly (readonly number[])[]): Float64Array {
  return new Float64Array(rows.flat());
}
