// Saying so when a run uses a slower back end than this machine could have:
// the native addon did not load (no prebuild for this platform and no
// compiler at install, --ignore-scripts, a package manager that skipped
// install scripts), or it loaded but liblz4 is missing. Back ends the user
// chose (--hash-backend node, HIVESTREAM_NATIVE=0, HIVESTREAM_LIBLZ4=none)
// are not fallbacks. Each is recorded once per process; listeners (the CLI)
// hear about it the first time, reports and metrics() carry it every time.
import { isNativeAvailable, loadNative, nativeOrigin, type NativeOrigin, type Sha256ImplName } from './native.js';
import type { HashBackendName, Lz4BackendName } from './kernels.js';

export interface BackendFallback {
  /** What runs slower than it could: SHA-256 or LZ4. */
  component: 'sha256' | 'lz4';
  /** The back end used instead. */
  using: string;
  /** Why the native back end is not in use. */
  reason: string;
  /** What makes it available. */
  fix: string;
}

/** What a report says about the native addon: where it came from and which SHA-256 code it runs. */
export interface NativeAddonInfo extends NativeOrigin {
  sha256Impl: Sha256ImplName;
  lz4: boolean;
}

export const REBUILD_FIX = 'npm rebuild hivestream (compiles the addon; needs a C compiler, make and python3; see docs/NATIVE.md)';
export const LIBLZ4_FIX = 'install liblz4 (Debian/Ubuntu: apt-get install liblz4-1; Fedora/RHEL: dnf install lz4-libs; Alpine: apk add lz4-libs; macOS: brew install lz4)';

const seen = new Map<BackendFallback['component'], BackendFallback>();
const listeners = new Set<(found: BackendFallback[]) => void>();

/** The addon in use, or null. */
export function nativeAddonInfo(): NativeAddonInfo | null {
  const native = loadNative();
  const origin = nativeOrigin();
  if (!isNativeAvailable(native) || origin === undefined) return null;
  const f = native.features();
  return { ...origin, sha256Impl: f.sha256Impl, lz4: f.lz4.available };
}

/** The fallbacks in the back ends `auto` chose (explicit choices are never fallbacks). */
export function findFallbacks(
  req: { hash?: HashBackendName | 'auto'; lz4?: Lz4BackendName | 'auto' },
  choice: { hash: HashBackendName; lz4: Lz4BackendName },
): BackendFallback[] {
  const auto = (v: string | undefined): boolean => v === undefined || v === 'auto';
  const out: BackendFallback[] = [];
  const native = loadNative();
  if (!isNativeAvailable(native)) {
    if (native.error.startsWith('disabled by')) return out;
    const reason = `native addon not loaded: ${native.error}`;
    if (auto(req.hash) && choice.hash !== 'native') out.push({ component: 'sha256', using: choice.hash, reason, fix: REBUILD_FIX });
    if (auto(req.lz4) && choice.lz4 !== 'native') out.push({ component: 'lz4', using: choice.lz4, reason, fix: REBUILD_FIX });
    return out;
  }
  const lz4 = native.features().lz4;
  if (auto(req.lz4) && choice.lz4 !== 'native' && !lz4.available && !(lz4.error ?? '').startsWith('disabled by')) {
    out.push({ component: 'lz4', using: choice.lz4, reason: `liblz4 not loaded: ${lz4.error ?? 'unknown reason'}`, fix: LIBLZ4_FIX });
  }
  return out;
}

/** Records fallbacks; listeners hear each component's first one (those found together, together). */
export function noteFallbacks(found: BackendFallback[]): void {
  const fresh = found.filter((f) => !seen.has(f.component));
  if (fresh.length === 0) return;
  for (const f of fresh) seen.set(f.component, f);
  for (const listen of listeners) listen(fresh);
}

/** Every fallback this process has run on. */
export function fallbacks(): BackendFallback[] {
  return [...seen.values()];
}

/** Calls `listener` with the components that fall back, the first time each does (those already seen at once). */
export function onFallback(listener: (found: BackendFallback[]) => void): () => void {
  listeners.add(listener);
  if (seen.size > 0) listener(fallbacks());
  return () => listeners.delete(listener);
}

const NAMES: Record<string, string> = { node: 'node:crypto', wasm: 'hash-wasm', 'wasm-simd': 'WebAssembly SIMD', 'lz4-napi': 'lz4-napi' };

/** One line per reason, for people: what is slower, why, and the fix. */
export function describeFallbacks(found: BackendFallback[]): string[] {
  const byReason = new Map<string, BackendFallback[]>();
  for (const f of found) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f]);
  return [...byReason.values()].map((group) => {
    const what = group.map((f) => `${f.component === 'sha256' ? 'SHA-256' : 'LZ4'} on ${NAMES[f.using] ?? f.using}`).join(' and ');
    const first = group[0];
    return `running ${what} instead of the native addon, slower than this machine allows (${first?.reason ?? ''}); fix: ${first?.fix ?? ''}`;
  });
}
