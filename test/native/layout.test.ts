// The shape of native/: the entry file only registers the calls, each area
// keeps its binding beside its header, and the SHA-256 core builds and passes
// its self-test without Node's headers (so it stays N-API-free).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const nativeDir = fileURLToPath(new URL('../../native', import.meta.url));
const read = (file: string): string => readFileSync(join(nativeDir, file), 'utf8');

/** The project headers a file includes, directly and through other headers. */
function includes(file: string, seen = new Set<string>()): Set<string> {
  for (const m of read(file).matchAll(/^#include\s+([<"])([^>"]+)[>"]/gm)) {
    const name = m[2] ?? '';
    if (m[1] === '<') {
      seen.add(name);
    } else if (!seen.has(name)) {
      seen.add(name);
      includes(name, seen);
    }
  }
  return seen;
}

/** The core the self-test compiles (native/selftest/run.sh), with no Node headers. */
const CORE = ['sha256.c', 'sha256_portable.c', 'sha256_shani.c', 'sha256_armv8.c', 'sha256_select.c', 'cpu_features.c', 'read_hash.c'];

function hasCompiler(): boolean {
  return spawnSync('cc', ['--version']).status === 0;
}

describe('native/ layout', () => {
  it('the core files reach no N-API header, directly or through another header', () => {
    for (const file of CORE) {
      const reached = includes(file);
      expect([...reached].filter((h) => h === 'node_api.h' || h === 'args.h' || h === 'state.h'), file).toEqual([]);
    }
  });

  it('addon.c only registers: it defines no call of its own', () => {
    const addon = read('addon.c');
    expect(addon).toMatch(/NAPI_MODULE_INIT\(\)/);
    expect(addon.match(/^(static\s+)?napi_value\s+\w+\s*\(/gm) ?? []).toEqual([]);
  });

  it('every call registered in addon.c is declared in a header beside its source file', () => {
    const registered = [...read('addon.c').matchAll(/\{"(\w+)", (\w+)\}/g)].map((m) => m[2] ?? '');
    expect(registered.length).toBeGreaterThanOrEqual(8);
    const files = readdirSync(nativeDir);
    for (const fn of registered) {
      const header = files.find((f) => f.endsWith('.h') && new RegExp(`napi_value ${fn}\\(`).test(read(f)));
      expect(header, fn).toBeDefined();
      const source = (header ?? '').replace(/\.h$/, '.c');
      expect(files, `${fn}: ${source}`).toContain(source);
      expect(read(source), fn).toMatch(new RegExp(`^napi_value ${fn}\\(`, 'm'));
    }
  });

  it.skipIf(!hasCompiler() && process.env.HIVESTREAM_REQUIRE_NATIVE !== '1')('the SHA-256 self-test builds without Node and passes (native/selftest/run.sh)', () => {
    const run = spawnSync('sh', [join(nativeDir, 'selftest', 'run.sh')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/portable: ok/);
  });
});
