// info: the CPU features seen, which back ends load (and why one does not),
// and a short calibration of each.
import { cpus } from 'node:os';
import { calibrateHash, calibrateLz4, resolveBackends } from '../../engine/backends/select.js';
import { isNativeAvailable, loadNative } from '../../engine/backends/native.js';
import { describeFallbacks, findFallbacks, nativeAddonInfo } from '../../engine/backends/fallback.js';
import { flag, JSON_OPTION, type Command } from '../command.js';

export const infoCommand: Command = {
  name: 'info',
  usage: 'hivestream info [--json]',
  help: `Loads every back end, measures each on a short calibration buffer (MB/s on
one core) and shows which one 'auto' picks. A back end that does not load
here is listed with the reason. The native addon line says where the addon
came from (prebuilt, or built from source) and which SHA-256 code it runs;
a slower back end than this machine could have is named with the fix.

Options:
      --json             print the report as JSON`,
  options: { ...JSON_OPTION },
  positionals: [0, 0],
  async run(args, ctx) {
    const native = loadNative();
    const features = isNativeAvailable(native) ? native.features() : undefined;
    const [hash, lz4, auto] = [await calibrateHash(), calibrateLz4(), await resolveBackends({})];
    const addon = nativeAddonInfo();
    const fallbacks = findFallbacks({}, auto);
    const report = {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: { model: cpus()[0]?.model ?? 'unknown', cores: cpus().length, ...(features?.cpu ?? {}) },
      native:
        features === undefined || addon === null
          ? { available: false, reason: 'error' in native ? native.error : '' }
          : { available: true, origin: addon.origin, file: addon.file, sha256Impl: features.sha256Impl, lz4: features.lz4 },
      hash,
      lz4,
      auto,
      fallbacks,
    };
    if (flag(args, 'json')) {
      ctx.stdout.write(JSON.stringify(report) + '\n');
      return 0;
    }
    const mb = (v: number | undefined): string => (v === undefined ? '' : `${v.toFixed(0).padStart(6)} MB/s`);
    const lines = [
      `node ${report.node} on ${report.platform}, ${report.cpu.model} (${report.cpu.cores} cores)`,
      features === undefined
        ? `native addon: unavailable (${report.native.available ? '' : (report.native as { reason: string }).reason})`
        : `native addon: ${addon?.origin === 'prebuild' ? 'prebuilt' : 'built from source'} (${addon?.file ?? ''}); CPU sha=${String(features.cpu.sha)} sse4.1=${String(features.cpu.sse41)}; SHA-256 via ${features.sha256Impl}; liblz4 ${features.lz4.available ? (features.lz4.version ?? 'loaded') : `unavailable (${features.lz4.error ?? ''})`}`,
      'SHA-256 back ends (one core):',
      ...hash.map((c) => `  ${c.name.padEnd(10)} ${c.available ? mb(c.mbPerSec) : `unavailable: ${c.reason ?? ''}`}${c.name === auto.hash ? '   <- auto' : ''}`),
      'LZ4 back ends (one core, compress / decompress):',
      ...lz4.map((c) => `  ${c.name.padEnd(10)} ${c.available ? `${mb(c.mbPerSec)} / ${mb(c.decompressMbPerSec).trim()}` : `unavailable: ${c.reason ?? ''}`}${c.name === auto.lz4 ? '   <- auto' : ''}`),
      ...describeFallbacks(fallbacks).map((l) => `note: ${l}`),
    ];
    ctx.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
