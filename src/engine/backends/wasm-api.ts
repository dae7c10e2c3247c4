// The slice of the WebAssembly JS API the wasm back ends use. The project
// compiles without the DOM lib (where TypeScript declares WebAssembly), so
// this declares just what is called and takes it from globalThis.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmNamespace {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<WasmInstance>;
}

/** The global WebAssembly object, or undefined where there is none (e.g. --jitless). */
export function webAssembly(): WasmNamespace | undefined {
  const g = globalThis as { WebAssembly?: WasmNamespace };
  return g.WebAssembly;
}

export type WasmFunction = (...args: number[]) => unknown;

/** An exported function by name; throws when the module lacks it. */
export function exportedFunction(instance: WasmInstance, name: string): WasmFunction {
  const f = instance.exports[name];
  if (typeof f !== 'function') throw new TypeError(`wasm module has no exported function ${name}`);
  return f as WasmFunction;
}

/** The value of an exported i32 global by name; throws when the module lacks it. */
export function exportedI32(instance: WasmInstance, name: string): number {
  const g = instance.exports[name];
  if (typeof g === 'object' && g !== null && 'value' in g && typeof g.value === 'number') return g.value;
  throw new TypeError(`wasm module has no exported i32 global ${name}`);
}
