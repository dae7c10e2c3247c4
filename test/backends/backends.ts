// The back ends under test, and a node:crypto reference to check them by.
import { createHash } from 'node:crypto';
import { createHashWasmKernel } from '../../dist/engine/backends/hash-wasm.js';
import { nodeHashKernel, type HashKernel } from '../../dist/engine/backends/kernels.js';
import { hashJobTable, setHashJob } from '../../dist/engine/backends/job-table.js';
import { createWasmSimdKernel } from '../../dist/engine/backends/wasm-simd.js';

export const BACKENDS: ReadonlyArray<{ name: string; create: () => Promise<HashKernel> }> = [
  { name: 'wasm-simd', create: () => createWasmSimdKernel() },
  // A one-block segment streams every chunk through many kernel calls.
  { name: 'wasm-simd (64-byte segments)', create: () => createWasmSimdKernel({ segmentSize: 64 }) },
  { name: 'hash-wasm', create: () => createHashWasmKernel() },
  { name: 'node-crypto', create: () => Promise.resolve(nodeHashKernel()) },
];

export function referenceHex(input: Uint8Array): string {
  return createHash('sha256').update(input).digest('hex');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Hashes the batch in one kernel call (inputs laid out in one buffer, digests after them) and returns the digests as hex. */
export function hashHex(hasher: HashKernel, inputs: Uint8Array[]): string[] {
  const total = inputs.reduce((n, input) => n + input.length, 0);
  const buffer = new Uint8Array(total + 32 * inputs.length);
  const table = hashJobTable(inputs.length);
  let at = 0;
  inputs.forEach((input, i) => {
    buffer.set(input, at);
    setHashJob(table, i, at, input.length, total + 32 * i);
    at += input.length;
  });
  hasher.hash(buffer, table, inputs.length);
  return inputs.map((_, i) => hex(buffer.subarray(total + 32 * i, total + 32 * (i + 1))));
}
