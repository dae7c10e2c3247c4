// SHA-256 on the project's own WebAssembly SIMD128 kernel, four messages at
// once (one per 32-bit lane). Built by scripts/build-wasm.mjs from the
// generator scripts/gen-sha256x4.mjs; docs/WASM.md describes the design.
import { readFile } from 'node:fs/promises';
import { packageFile } from '../../util/package-root.js';
import { BackendUnavailableError, ValidationError, messageOf } from '../../errors.js';
import { DIGEST_SIZE } from '../../format/constants.js';
import { hashJobViews } from './job-table.js';
import type { HashKernel } from './kernels.js';
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
/** Room for the kernel's own low memory (state, constants): up to its heapBase, checked on load. */
const KERNEL_RESERVED = 2048;
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
    const bytes = await readFile(packageFile('dist/engine/backends/wasm-simd/sha256x4.wasm'));
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

interface Job {
  readonly input: Uint8Array;
  readonly output: Uint8Array;
  readonly padded: number;
}

/** The rows of a job table as views, each with its padded length. */
function jobsOf(ring: Uint8Array, table: Float64Array, count: number): Job[] {
  const { inputs, outputs } = hashJobViews(ring, table, count);
  return inputs.map((input, i) => ({ input, output: outputs[i] ?? new Uint8Array(DIGEST_SIZE), padded: paddedBytes(input.length) }));
}

function jobAt(jobs: readonly Job[], i: number): Job {
  const job = jobs[i];
  if (job === undefined) throw new RangeError(`no job ${i}`);
  return job;
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

class WasmSimdSha256 implements HashKernel {
  readonly name = 'wasm-simd';
  private readonly view: DataView;
  /** Lane k's digest after digest4, the scalar digest after digest1 at lane 0's. */
  private readonly digests: Uint8Array[];

  constructor(
    private readonly kernel: Kernel,
    private readonly u8: Uint8Array,
    /** Start of the lane buffers: lane k's at base + k * segment, the four contiguous. */
    private readonly base: number,
    private readonly segment: number,
    /** Where digest4/digest1 write: four 32-byte digests. */
    private readonly out: number,
  ) {
    this.view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    this.digests = [0, 1, 2, 3].map((k) => u8.subarray(out + DIGEST_SIZE * k, out + DIGEST_SIZE * (k + 1)));
  }

  hash(ring: Uint8Array, table: Float64Array, count: number): void {
    // Equal lengths pad to the same block count and so run in lock step to
    // the end. Sorted by that count (stable), each run of equal counts is
    // hashed four at a time; what is left of the runs, still in order, is
    // hashed in fours too, neighbours in length sharing lanes.
    const jobs = jobsOf(ring, table, count).sort((a, b) => a.padded - b.padded);
    const rest: Job[] = [];
    for (let i = 0; i < jobs.length; ) {
      const padded = jobAt(jobs, i).padded;
      let j = i + 1;
      while (j < jobs.length && jobAt(jobs, j).padded === padded) j++;
      for (; i + LANES <= j; i += LANES) this.hashLanes(jobs, i, LANES);
      for (; i < j; i++) rest.push(jobAt(jobs, i));
    }
    for (let i = 0; i < rest.length; i += LANES) this.hashLanes(rest, i, Math.min(LANES, rest.length - i));
  }

  /**
   * Hashes jobs[start .. start+count), sorted by padded length, one per lane,
   * in the vector kernel while enough lanes are live. Lanes finish in order;
   * a finished (or unused) lane goes on hashing stale bytes, ignored.
   */
  private hashLanes(jobs: readonly Job[], start: number, count: number): void {
    const { kernel, base, segment } = this;
    const end = start + count;
    let first = start;
    let pos = 0;
    if (count >= MIN_SIMD_LANES) {
      kernel.init4();
      while (end - first >= MIN_SIMD_LANES) {
        const done = jobAt(jobs, first).padded;
        const to = Math.min(pos + segment, done);
        for (let i = first; i < end; i++) this.fill(base + (i - start) * segment, jobAt(jobs, i), pos, to);
        kernel.blocks4(base, base + segment, base + 2 * segment, base + 3 * segment, (to - pos) / BLOCK);
        pos = to;
        if (to === done) {
          kernel.digest4(this.out);
          for (; first < end && jobAt(jobs, first).padded === done; first++) {
            this.copyDigest(jobAt(jobs, first), first - start);
          }
        }
      }
    }
    for (let i = first; i < end; i++) {
      if (pos > 0) kernel.extract1(i - start);
      this.hashScalar(jobAt(jobs, i), pos);
    }
  }

  /** Scalar kernel from `from` (0: a fresh state; else the state extract1 left). */
  private hashScalar(job: Job, from: number): void {
    const { kernel, base } = this;
    const room = LANES * this.segment;
    if (from === 0) kernel.init1();
    for (let pos = from; pos < job.padded; ) {
      const to = Math.min(pos + room, job.padded);
      this.fill(base, job, pos, to);
      kernel.blocks1(base, (to - pos) / BLOCK);
      pos = to;
    }
    kernel.digest1(this.out);
    this.copyDigest(job, 0);
  }

  /** Writes bytes [from, to) of the job's padded message at `at`; from and to are block-aligned. */
  private fill(at: number, job: Job, from: number, to: number): void {
    const { input } = job;
    const length = input.length;
    if (from === 0 && to >= length) this.u8.set(input, at);
    else if (from < length) this.u8.set(input.subarray(from, Math.min(to, length)), at);
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

  private copyDigest(job: Job, lane: number): void {
    const digest = this.digests[lane];
    if (digest !== undefined) job.output.set(digest);
  }
}

/**
 * A hash kernel on the SIMD128 kernel. Rejects with BackendUnavailableError
 * where the engine has no WebAssembly SIMD or the kernel cannot be loaded.
 */
export async function createWasmSimdKernel(options: WasmSimdOptions = {}): Promise<HashKernel> {
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
    const pages = Math.ceil((KERNEL_RESERVED + LANES * segment + LANES * DIGEST_SIZE) / PAGE);
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
    if (base + LANES * segment + LANES * DIGEST_SIZE > pages * PAGE) {
      throw new Error(`kernel heap base ${base} leaves too little memory`);
    }
    return new WasmSimdSha256(kernel, new Uint8Array(memory.buffer), base, segment, base + LANES * segment);
  } catch (cause) {
    throw new BackendUnavailableError(`wasm-simd: cannot load the SHA-256 kernel: ${messageOf(cause)}`, { cause });
  }
}
