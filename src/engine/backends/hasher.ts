// The one shape every SHA-256 back end has, so the engine can pick one by
// name (node:crypto, hash-wasm, the project's own wasm-simd kernel) and hand
// it whole batches: a multi-buffer kernel needs several chunks at once.
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';

export const SHA256_BYTES = 32;

export interface MultiHasher {
  /** Back-end name, for logs and benchmarks. */
  readonly name: string;
  /**
   * Writes SHA-256(inputs[i]) into the first 32 bytes of outputs[i]. Inputs
   * may be views over a SharedArrayBuffer; they are only read. An output
   * must not overlap any input of the same batch.
   */
  hashMany(inputs: Uint8Array[], outputs: Uint8Array[]): void;
}

/** One input with the view its digest goes into. */
export interface HashJob {
  readonly input: Uint8Array;
  readonly output: Uint8Array;
}

/**
 * Pairs inputs with outputs; throws ValidationError unless there is one
 * output of at least 32 bytes per input.
 */
export function pairBatch(inputs: readonly Uint8Array[], outputs: readonly Uint8Array[]): HashJob[] {
  if (inputs.length !== outputs.length) {
    throw new ValidationError('outputs', `expected ${inputs.length} outputs, got ${outputs.length}`);
  }
  return inputs.map((input, i) => {
    const output = outputs[i];
    if (output === undefined || output.length < SHA256_BYTES) {
      throw new ValidationError(`outputs[${i}]`, `must be a view of at least ${SHA256_BYTES} bytes`);
    }
    return { input, output };
  });
}

/** node:crypto, one createHash per input: OpenSSL, with SHA-NI where the CPU has it. */
export function createNodeCryptoSha256(): MultiHasher {
  return {
    name: 'node-crypto',
    hashMany(inputs, outputs) {
      for (const { input, output } of pairBatch(inputs, outputs)) {
        output.set(createHash('sha256').update(input).digest());
      }
    },
  };
}
