// The back ends under test, and a node:crypto reference to check them by.
import { createHash } from 'node:crypto';
import { createHashWasmSha256 } from '../../dist/engine/backends/hash-wasm.js';
import { createNodeCryptoSha256, type MultiHasher } from '../../dist/engine/backends/hasher.js';
import { createWasmSimdSha256 } from '../../dist/engine/backends/wasm-simd.js';

export const BACKENDS: ReadonlyArray<{ name: string; create: () => Promise<MultiHasher> }> = [
  { name: 'wasm-simd', create: () => createWasmSimdSha256() },
  // A one-block segment streams every chunk through many kernel calls.
  { name: 'wasm-simd (64-byte segments)', create: () => createWasmSimdSha256({ segmentSize: 64 }) },
  { name: 'hash-wasm', create: () => createHashWasmSha256() },
  { name: 'node-crypto', create: () => Promise.resolve(createNodeCryptoSha256()) },
];

export function referenceHex(input: Uint8Array): string {
  return createHash('sha256').update(input).digest('hex');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Hashes the batch into fresh 32-byte outputs and returns them as hex. */
export function hashHex(hasher: MultiHasher, inputs: Uint8Array[]): string[] {
  const outputs = inputs.map(() => new Uint8Array(32));
  hasher.hashMany(inputs, outputs);
  return outputs.map(hex);
}
