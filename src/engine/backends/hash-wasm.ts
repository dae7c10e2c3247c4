// SHA-256 from the hash-wasm package (scalar C compiled to wasm): portable,
// and the baseline the wasm-simd kernel is measured against.
import { createSHA256, type IHasher } from 'hash-wasm';
import { BackendUnavailableError } from '../../errors.js';
import { pairBatch, type MultiHasher } from './hasher.js';

export async function createHashWasmSha256(): Promise<MultiHasher> {
  let hasher: IHasher;
  try {
    hasher = await createSHA256();
  } catch (cause) {
    throw new BackendUnavailableError('hash-wasm: cannot instantiate SHA-256', { cause });
  }
  return {
    name: 'hash-wasm',
    hashMany(inputs, outputs) {
      // One instance, re-initialised per input: no allocation per chunk
      // beyond the digest array hash-wasm returns.
      for (const { input, output } of pairBatch(inputs, outputs)) {
        output.set(hasher.init().update(input).digest('binary'));
      }
    },
  };
}
