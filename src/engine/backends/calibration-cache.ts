// Calibration results kept on disk, so that `auto` measures the back ends
// once per machine (and again when anything that could change the answer
// changes: Node, CPU, the native build, the liblz4 override) rather than at
// every start of the CLI, where it cost ~70 ms.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { packageFile } from '../../util/package-root.js';
import { cpus, homedir } from 'node:os';
import { join } from 'node:path';
import { nativeOrigin } from './native.js';
import type { Calibration } from './select.js';
import type { HashBackendName, Lz4BackendName } from './kernels.js';

export interface CalibrationRecord {
  hash: Array<Calibration<HashBackendName>>;
  lz4: Array<Calibration<Lz4BackendName>>;
}

interface Stored extends CalibrationRecord {
  key: string;
  measuredAt: number;
}

const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

function cacheFile(): string | undefined {
  if (process.env.HIVESTREAM_CALIBRATION_CACHE === '0') return undefined;
  const dir = process.env.HIVESTREAM_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hivestream');
  return join(dir, 'backends-v1.json');
}

/** The addon file in use (a build from source or a prebuild), as it is now. */
function addonStamp(): string {
  const origin = nativeOrigin();
  if (origin === undefined) return 'none';
  try {
    const st = statSync(packageFile(origin.file));
    return `${origin.file}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'none';
  }
}

/** Everything that could change which back end is fastest, or which loads. */
function cacheKey(): string {
  return JSON.stringify([
    process.version,
    process.platform,
    process.arch,
    cpus()[0]?.model ?? '',
    addonStamp(),
    process.env.HIVESTREAM_LIBLZ4 ?? '',
    process.env.HIVESTREAM_NATIVE ?? '',
  ]);
}

export function readCalibration(): CalibrationRecord | undefined {
  const file = cacheFile();
  if (file === undefined) return undefined;
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stored>;
    if (stored.key !== cacheKey() || typeof stored.measuredAt !== 'number' || Date.now() - stored.measuredAt > MAX_AGE_MS) return undefined;
    if (!Array.isArray(stored.hash) || !Array.isArray(stored.lz4)) return undefined;
    return { hash: stored.hash, lz4: stored.lz4 };
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only home or a full disk just means measuring next time. */
export function writeCalibration(record: CalibrationRecord): void {
  const file = cacheFile();
  if (file === undefined) return;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key: cacheKey(), measuredAt: Date.now(), ...record }));
    renameSync(tmp, file);
  } catch {
    // ignored on purpose
  }
}
