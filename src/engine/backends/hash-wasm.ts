// SHA-256 from the hash-wasm package (scalar C compiled to wasm): portable,
// and the baseline the wasm-simd kernel is measured against.
import { createSHA256, type IHasher } from 'hash-wasm';
import { BackendUnavailableError } from '../../errors.js';
import { hashJobViews } from './job-table.js';
import type { HashKernel } from './kernels.js';

export async function createHashWasmKernel(): Promise<HashKernel> {
  let hasher: IHasher;
  try {
    hasher = await createSHA256();
  } catch (cause) {
    throw new BackendUnavailableError('hash-wasm: cannot instantiate SHA-256', { cause });
  }
  return {
    name: 'wasm',
    hash(ring, jobs, count) {
      // One instance, re-initialised per input: no allocation per chunk
      // beyond the digest array hash-wasm returns.
      const { inputs, outputs } = hashJobViews(ring, jobs, count);
      inputs.forEach((input, i) => outputs[i]?.set(hasher.init().update(input).digest('binary')));
    },
  };
}
