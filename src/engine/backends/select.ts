// Choosing back ends. `auto` measures every back end present on a short
// calibration buffer (once per process) and takes the fastest: the choice
// never changes a digest or the format, only the speed.
import { performance } from 'node:perf_hooks';
import { BackendUnavailableError, ValidationError } from '../../errors.js';
import { fillBlock } from '../../util/profiles.js';
import { readCalibration, writeCalibration, type CalibrationRecord } from './calibration-cache.js';
import {
  createHashKernel,
  createLz4Kernel,
  HASH_BACKENDS,
  LZ4_BACKENDS,
  type HashBackendName,
  type Lz4BackendName,
} from './kernels.js';
import { hashJobTable, lz4Job, lz4JobTable, setHashJob, setLz4Job } from './job-table.js';

export interface BackendChoice {
  hash: HashBackendName;
  lz4: Lz4BackendName;
}

export interface BackendRequest {
  hash?: HashBackendName | 'auto';
  lz4?: Lz4BackendName | 'auto';
}

export interface Calibration<N extends string> {
  name: N;
  available: boolean;
  /** Why it cannot be used, when it cannot. */
  reason?: string;
  /** Measured throughput, MB/s on one core (compression for LZ4). */
  mbPerSec?: number;
  /** LZ4 only: decompression MB/s. */
  decompressMbPerSec?: number;
}

const CAL_CHUNK = 128 * 1024;
const CAL_CHUNKS = 4;

function calibrationRing(): { ring: Uint8Array; hashJobs: Float64Array; lz4Jobs: Float64Array; unJobs: Float64Array } {
  // Input chunks, then output areas (LZ4 bound), then digests.
  const outStride = CAL_CHUNK + Math.ceil(CAL_CHUNK / 255) + 32;
  const ring = new Uint8Array(CAL_CHUNKS * (2 * CAL_CHUNK + outStride) + CAL_CHUNKS * 32);
  const hashJobs = hashJobTable(CAL_CHUNKS);
  const lz4Jobs = lz4JobTable(CAL_CHUNKS);
  const unJobs = lz4JobTable(CAL_CHUNKS);
  const outBase = CAL_CHUNKS * CAL_CHUNK;
  const backBase = outBase + CAL_CHUNKS * outStride;
  const digestBase = backBase + CAL_CHUNKS * CAL_CHUNK;
  for (let i = 0; i < CAL_CHUNKS; i++) {
    fillBlock(i % 2 === 0 ? 'text' : 'tensor', ring.subarray(i * CAL_CHUNK, (i + 1) * CAL_CHUNK), 7, i);
    setHashJob(hashJobs, i, i * CAL_CHUNK, CAL_CHUNK, digestBase + i * 32);
    setLz4Job(lz4Jobs, i, i * CAL_CHUNK, CAL_CHUNK, outBase + i * outStride, outStride);
  }
  return { ring, hashJobs, lz4Jobs, unJobs };
}

/**
 * Times each contender once per round, round after round, and keeps each
 * one's best: a burst of load on a shared machine then hurts every contender
 * alike, rather than whichever was being measured at that moment. Returns
 * MB/s over `bytes`.
 */
function race(bytes: number, rounds: number, contenders: Array<() => void>): number[] {
  const best = contenders.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    contenders.forEach((fn, i) => {
      const t = performance.now();
      fn();
      best[i] = Math.min(best[i] ?? Infinity, performance.now() - t);
    });
  }
  return best.map((ms) => bytes / 1e6 / (Math.max(ms, 0.001) / 1000));
}

const ROUNDS = 5;

let hashCal: Promise<Array<Calibration<HashBackendName>>> | undefined;
let lz4Cal: Array<Calibration<Lz4BackendName>> | undefined;

/** Measures every hash back end (cached for the process). */
export function calibrateHash(): Promise<Array<Calibration<HashBackendName>>> {
  hashCal ??= (async () => {
    const { ring, hashJobs } = calibrationRing();
    const out: Array<Calibration<HashBackendName>> = [];
    const loaded: Array<{ entry: Calibration<HashBackendName>; run: () => void }> = [];
    for (const name of HASH_BACKENDS) {
      try {
        const k = await createHashKernel(name);
        const run = (): void => k.hash(ring, hashJobs, CAL_CHUNKS);
        // Warm up: WebAssembly starts in a baseline tier and is optimised after a few calls.
        for (let w = 0; w < 3; w++) run();
        const entry: Calibration<HashBackendName> = { name, available: true };
        out.push(entry);
        loaded.push({ entry, run });
      } catch (err) {
        out.push({ name, available: false, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    const speeds = race(CAL_CHUNK * CAL_CHUNKS, ROUNDS, loaded.map((l) => l.run));
    loaded.forEach((l, i) => (l.entry.mbPerSec = speeds[i]));
    return out;
  })();
  return hashCal;
}

/** Measures every LZ4 back end, compression and decompression (cached for the process). */
export function calibrateLz4(): Array<Calibration<Lz4BackendName>> {
  if (lz4Cal !== undefined) return lz4Cal;
  const out: Array<Calibration<Lz4BackendName>> = [];
  const loaded: Array<{ entry: Calibration<Lz4BackendName>; compress: () => void; decompress: () => void }> = [];
  for (const name of LZ4_BACKENDS) {
    try {
      const k = createLz4Kernel(name);
      const { ring, lz4Jobs, unJobs } = calibrationRing();
      const results = new Int32Array(CAL_CHUNKS);
      const compress = (): void => k.compress(ring, lz4Jobs, CAL_CHUNKS, results);
      compress();
      const first = lz4Job(lz4Jobs, 0);
      const backBase = first.dst + CAL_CHUNKS * first.capacity;
      for (let i = 0; i < CAL_CHUNKS; i++) setLz4Job(unJobs, i, lz4Job(lz4Jobs, i).dst, results[i] ?? 0, backBase + i * CAL_CHUNK, CAL_CHUNK);
      const back = new Int32Array(CAL_CHUNKS);
      const decompress = (): void => k.decompress(ring, unJobs, CAL_CHUNKS, back);
      decompress();
      const entry: Calibration<Lz4BackendName> = { name, available: true };
      out.push(entry);
      loaded.push({ entry, compress, decompress });
    } catch (err) {
      out.push({ name, available: false, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const bytes = CAL_CHUNK * CAL_CHUNKS;
  const c = race(bytes, ROUNDS, loaded.map((l) => l.compress));
  const d = race(bytes, ROUNDS, loaded.map((l) => l.decompress));
  loaded.forEach((l, i) => {
    l.entry.mbPerSec = c[i];
    l.entry.decompressMbPerSec = d[i];
  });
  lz4Cal = out;
  return out;
}

/** The available back end with the least time per MB (for LZ4: compress plus decompress). */
function fastest<N extends string>(cal: Array<Calibration<N>>): N | undefined {
  const cost = (c: Calibration<N>): number => 1 / (c.mbPerSec ?? 1e-9) + (c.decompressMbPerSec === undefined ? 0 : 1 / c.decompressMbPerSec);
  let best: Calibration<N> | undefined;
  for (const c of cal) if (c.available && (best === undefined || cost(c) < cost(best))) best = c;
  return best?.name;
}

export function checkBackendNames(req: BackendRequest): void {
  if (req.hash !== undefined && req.hash !== 'auto' && !HASH_BACKENDS.includes(req.hash)) {
    throw new ValidationError('hashBackend', `${String(req.hash)} is not one of auto, ${HASH_BACKENDS.join(', ')}`);
  }
  if (req.lz4 !== undefined && req.lz4 !== 'auto' && !LZ4_BACKENDS.includes(req.lz4)) {
    throw new ValidationError('lz4Backend', `${String(req.lz4)} is not one of auto, ${LZ4_BACKENDS.join(', ')}`);
  }
}

let remembered: CalibrationRecord | undefined;

/** Calibration from this process, the disk cache, or a fresh measurement (then cached). */
async function calibration(): Promise<CalibrationRecord> {
  remembered ??= readCalibration();
  if (remembered === undefined) {
    remembered = { hash: await calibrateHash(), lz4: calibrateLz4() };
    writeCalibration(remembered);
  }
  return remembered;
}

/** Choices already resolved (and checked to load) in this process, by request. */
const resolved = new Map<string, BackendChoice>();

/** Resolves `auto` by measurement and checks that the chosen back ends load here (once per request and process). */
export async function resolveBackends(req: BackendRequest = {}): Promise<BackendChoice> {
  const key = `${req.hash ?? 'auto'}/${req.lz4 ?? 'auto'}`;
  const known = resolved.get(key);
  if (known !== undefined) return known;
  const choice = await resolveUncached(req);
  resolved.set(key, choice);
  return choice;
}

async function resolveUncached(req: BackendRequest): Promise<BackendChoice> {
  checkBackendNames(req);
  const choice = pick(req, await calibration());
  try {
    // A cached calibration may be out of date: what it chose must still load.
    await createHashKernel(choice.hash);
    createLz4Kernel(choice.lz4);
    return choice;
  } catch {
    remembered = { hash: await calibrateHash(), lz4: calibrateLz4() };
    writeCalibration(remembered);
    return pick(req, remembered);
  }
}

function pick(req: BackendRequest, cal: CalibrationRecord): BackendChoice {
  const hash = req.hash === undefined || req.hash === 'auto' ? fastest(cal.hash) : req.hash;
  const hashCal = cal.hash.find((c) => c.name === hash);
  if (hash === undefined || hashCal?.available !== true) {
    throw new BackendUnavailableError(`hash back end ${hash ?? 'auto'} is not available here: ${hashCal?.reason ?? 'none loads'}`);
  }
  // One LZ4 back end serves both directions: the cheaper round trip wins.
  const lz4 = req.lz4 === undefined || req.lz4 === 'auto' ? fastest(cal.lz4) : req.lz4;
  const lz4Cal = cal.lz4.find((c) => c.name === lz4);
  if (lz4 === undefined || lz4Cal?.available !== true) {
    throw new BackendUnavailableError(`LZ4 back end ${lz4 ?? 'auto'} is not available here: ${lz4Cal?.reason ?? 'none loads'}`);
  }
  return { hash, lz4 };
}
