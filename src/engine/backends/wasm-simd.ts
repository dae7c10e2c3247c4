// SHA-256 on the project's own WebAssembly SIMD128 kernel, four messages at
// once (one per 32-bit lane). Built by scripts/build-wasm.mjs from the
// generator scripts/gen-sha256x4.mjs; docs/WASM.md describes the design.
import { readFile } from 'node:fs/promises';
import { BackendUnavailableError, ValidationError, messageOf } from '../../errors.js';
import { pairBatch, SHA256_BYTES, type HashJob, type MultiHasher } from './hasher.js';
import { exportedFunction, exportedI32, webAssembly, type WasmFunction, type WasmModule } from './wasm-api.js';

const BLOCK = 64;
const LANES = 4;
const PAGE = 65536;
/**
 * Fewest live lanes worth a vector pass: one 4-lane block costs about as
 * much as two or three scalar ones, so two messages go scalar.
 */
const MIN_SIMD_LANES = 3;
const DEFAULT_SEGMENT = 16 * 1024;
const MAX_SEGMENT = 16 * 1024 * 1024;

// A function returning (i8x16.popcnt (i8x16.splat (i32.const 0))): valid
// only where the engine has SIMD128.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export interface WasmSimdOptions {
  /**
   * Bytes of each lane copied into wasm memory per kernel call, a multiple
   * of 64. Chunks of any size stream through in segments; small segments
   * keep the four lanes' copies in the L1/L2 cache while they are hashed.
   */
  segmentSize?: number;
}

/** Whether this engine runs WebAssembly with SIMD128. */
export function wasmSimdSupported(): boolean {
  const wasm = webAssembly();
  if (wasm === undefined) return false;
  try {
    return wasm.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

let compiled: Promise<WasmModule> | undefined;

/** Compiles the kernel once per thread; a failure is not cached. */
function compileKernel(): Promise<WasmModule> {
  compiled ??= (async () => {
    const wasm = webAssembly();
    if (wasm === undefined) throw new Error('no WebAssembly in this engine');
    const bytes = await readFile(new URL('./wasm-simd/sha256x4.wasm', import.meta.url));
    return wasm.compile(bytes);
  })();
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}

/** Bytes of a message once padded: the 0x80 byte and 64-bit length fit in whole blocks. */
function paddedBytes(length: number): number {
  return (Math.floor((length + 8) / BLOCK) + 1) * BLOCK;
}

interface Job extends HashJob {
  readonly padded: number;
}

interface Kernel {
  init4: WasmFunction;
  blocks4: WasmFunction;
  digest4: WasmFunction;
  init1: WasmFunction;
  blocks1: WasmFunction;
  digest1: WasmFunction;
  extract1: WasmFunction;
}

class WasmSimdSha256 implements MultiHasher {
  readonly name = 'wasm-simd';
  private readonly view: DataView;

  constructor(
    private readonly kernel: Kernel,
    private readonly u8: Uint8Array,
    /** Start of lane k's buffer: lanes[0] + k * segment; the four are contiguous. */
    private readonly lanes: readonly [number, number, number, number],
    private readonly out: number,
    private readonly segment: number,
  ) {
    this.view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  }

  hashMany(inputs: Uint8Array[], outputs: Uint8Array[]): void {
    // Equal lengths pad to the same block count and so run in lock step to
    // the end; group by that count, four at a time.
    const byBlocks = new Map<number, Job[]>();
    for (const job of pairBatch(inputs, outputs)) {
      const padded = paddedBytes(job.input.length);
      const group = byBlocks.get(padded);
      if (group === undefined) byBlocks.set(padded, [{ ...job, padded }]);
      else group.push({ ...job, padded });
    }
    const rest: Job[] = [];
    for (const group of byBlocks.values()) {
      let i = 0;
      for (; i + LANES <= group.length; i += LANES) this.hashLanes(group.slice(i, i + LANES));
      rest.push(...group.slice(i));
    }
    // Leftovers of unequal lengths: neighbours in length share lanes until
    // the shorter ones finish.
    rest.sort((a, b) => a.padded - b.padded);
    for (let i = 0; i < rest.length; i += LANES) this.hashLanes(rest.slice(i, i + LANES));
  }

  /** Hashes up to four jobs, sorted by padded length, in the vector kernel while enough lanes are live. */
  private hashLanes(jobs: readonly Job[]): void {
    const { kernel, lanes } = this;
    if (jobs.length < MIN_SIMD_LANES) {
      for (const job of jobs) this.hashScalar(job, 0);
      return;
    }
    let live = jobs.map((job, lane) => ({ job, lane, at: lanes[0] + lane * this.segment }));
    kernel.init4();
    let pos = 0;
    while (live.length >= MIN_SIMD_LANES) {
      let end = Infinity;
      for (const { job } of live) end = Math.min(end, job.padded);
      const to = Math.min(pos + this.segment, end);
      // A finished or missing lane goes on hashing stale bytes; its result is ignored.
      for (const { job, at } of live) this.fill(at, job, pos, to);
      kernel.blocks4(lanes[0], lanes[1], lanes[2], lanes[3], (to - pos) / BLOCK);
      pos = to;
      if (to === end) {
        kernel.digest4(this.out);
        for (const { job, lane } of live) {
          if (job.padded === end) this.copyDigest(job, this.out + SHA256_BYTES * lane);
        }
        live = live.filter(({ job }) => job.padded !== end);
      }
    }
    for (const { job, lane } of live) {
      kernel.extract1(lane);
      this.hashScalar(job, pos);
    }
  }

  /** Scalar kernel from `from` (0: a fresh state; else the state extract1 left). */
  private hashScalar(job: Job, from: number): void {
    const { kernel } = this;
    const at = this.lanes[0];
    const room = LANES * this.segment;
    if (from === 0) kernel.init1();
    for (let pos = from; pos < job.padded; ) {
      const to = Math.min(pos + room, job.padded);
      this.fill(at, job, pos, to);
      kernel.blocks1(at, (to - pos) / BLOCK);
      pos = to;
    }
    kernel.digest1(this.out);
    this.copyDigest(job, this.out);
  }

  /** Writes bytes [from, to) of the job's padded message at `at`; from and to are block-aligned. */
  private fill(at: number, job: Job, from: number, to: number): void {
    const { input } = job;
    const length = input.length;
    if (from < length) this.u8.set(input.subarray(from, Math.min(to, length)), at);
    if (to <= length) return;
    this.u8.fill(0, at + Math.max(from, length) - from, at + to - from);
    if (length >= from) this.u8[at + length - from] = 0x80;
    // The length field lies in the last block, so it is never split.
    if (to === job.padded) {
      const bits = length * 8;
      this.view.setUint32(at + to - from - 8, Math.floor(bits / 2 ** 32));
      this.view.setUint32(at + to - from - 4, bits >>> 0);
    }
  }

  private copyDigest(job: Job, at: number): void {
    job.output.set(this.u8.subarray(at, at + SHA256_BYTES));
  }
}

/**
 * A MultiHasher on the SIMD128 kernel. Rejects with BackendUnavailableError
 * where the engine has no WebAssembly SIMD or the kernel cannot be loaded.
 */
export async function createWasmSimdSha256(options: WasmSimdOptions = {}): Promise<MultiHasher> {
  const segment = options.segmentSize ?? DEFAULT_SEGMENT;
  if (!Number.isInteger(segment) || segment < BLOCK || segment > MAX_SEGMENT || segment % BLOCK !== 0) {
    throw new ValidationError('segmentSize', `must be a multiple of ${BLOCK} from ${BLOCK} to ${MAX_SEGMENT}`);
  }
  const wasm = webAssembly();
  if (wasm === undefined || !wasmSimdSupported()) {
    throw new BackendUnavailableError('wasm-simd: this engine has no WebAssembly SIMD128');
  }
  try {
    const module = await compileKernel();
    // Fixed size: the kernel's low memory, four lane buffers, four digests.
    const pages = Math.ceil((2048 + LANES * segment + LANES * SHA256_BYTES) / PAGE);
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const instance = await wasm.instantiate(module, { env: { memory } });
    const fn = (name: string): WasmFunction => exportedFunction(instance, name);
    const kernel: Kernel = {
      init4: fn('init4'),
      blocks4: fn('blocks4'),
      digest4: fn('digest4'),
      init1: fn('init1'),
      blocks1: fn('blocks1'),
      digest1: fn('digest1'),
      extract1: fn('extract1'),
    };
    const base = Math.ceil(exportedI32(instance, 'heapBase') / BLOCK) * BLOCK;
    if (base + LANES * segment + LANES * SHA256_BYTES > pages * PAGE) {
      throw new Error(`kernel heap base ${base} leaves too little memory`);
    }
    const lanes = [base, base + segment, base + 2 * segment, base + 3 * segment] as const;
    return new WasmSimdSha256(kernel, new Uint8Array(memory.buffer), lanes, base + LANES * segment, segment);
  } catch (cause) {
    throw new BackendUnavailableError(`wasm-simd: cannot load the SHA-256 kernel: ${messageOf(cause)}`, { cause });
  }
}
