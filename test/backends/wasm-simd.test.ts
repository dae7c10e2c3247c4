import { describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError, ValidationError } from '../../dist/errors.js';
import { createWasmSimdKernel, wasmSimdSupported } from '../../dist/engine/backends/wasm-simd.js';
import { hashHex, referenceHex } from './backends.js';
import { randomBytes, splitmix32 } from './prng.js';

describe('wasm-simd back end', () => {
  it('detects SIMD128 on this Node', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it('names itself', async () => {
    expect((await createWasmSimdKernel()).name).toBe('wasm-simd');
  });

  it.each([64, 128, 4096, 16 * 1024, 64 * 1024])(
    'gives the same digests with %i-byte segments',
    async (segmentSize) => {
      const hasher = await createWasmSimdKernel({ segmentSize });
      const rng = splitmix32(segmentSize);
      // Ends on, just before and just after segment edges, for full and part groups.
      const lengths = [segmentSize - 9, segmentSize - 8, segmentSize, segmentSize + 1, 3 * segmentSize + 55];
      for (const length of lengths) {
        for (const size of [3, 4]) {
          const inputs = Array.from({ length: size }, () => randomBytes(rng, Math.max(0, length)));
          expect(hashHex(hasher, inputs), `length ${length} x${size}`).toEqual(inputs.map(referenceHex));
        }
      }
    },
  );

  it('finishes lanes that end early and hands a long last lane to the scalar kernel', async () => {
    const hasher = await createWasmSimdKernel({ segmentSize: 256 });
    const rng = splitmix32(5);
    // Sorted leftovers share lanes: these four end at four different blocks.
    const inputs = [10, 300, 3000, 100_000].map((length) => randomBytes(rng, length));
    expect(hashHex(hasher, inputs)).toEqual(inputs.map(referenceHex));
  });

  it('keeps instances independent', async () => {
    const [a, b] = await Promise.all([createWasmSimdKernel(), createWasmSimdKernel({ segmentSize: 64 })]);
    const rng = splitmix32(6);
    const inputs = Array.from({ length: 4 }, () => randomBytes(rng, 777));
    expect(hashHex(a, inputs)).toEqual(hashHex(b, inputs));
  });

  it.each([0, 63, 100, 1.5 * 64, 32 * 1024 * 1024])('rejects segmentSize %d', async (segmentSize) => {
    await expect(createWasmSimdKernel({ segmentSize })).rejects.toThrow(ValidationError);
  });

  it('rejects with BackendUnavailableError where the engine has no SIMD128', async () => {
    // The test lib has no WebAssembly types; only validate is stubbed.
    const wasm = (globalThis as unknown as { WebAssembly: { validate: (bytes: Uint8Array) => boolean } }).WebAssembly;
    const spy = vi.spyOn(wasm, 'validate').mockReturnValue(false);
    try {
      expect(wasmSimdSupported()).toBe(false);
      const err: unknown = await createWasmSimdKernel().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect(err).toMatchObject({ code: 'E_BACKEND_UNAVAILABLE', exitCode: 14 });
    } finally {
      spy.mockRestore();
    }
    expect(wasmSimdSupported()).toBe(true);
  });
});
