// The install script (scripts/build-native.mjs): a prebuild that loads is
// used as it is; one that does not load, or --build-from-source, compiles
// from source; a failed build leaves the portable back ends, with one line
// saying why. Run in package-like copies (no src/: a source checkout always
// compiles), the installed tarball itself is tested in test/package/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts', 'build-native.mjs');
const addonFile = join(root, 'build', 'Release', 'hivestream_native.node');
const scratch: string[] = [];
const hasCompiler = spawnSync('cc', ['--version']).status === 0;

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the package's runtime and build files (dist, native, binding.gyp, the install scripts), without src/. */
function packageCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hivestream-install-'));
  scratch.push(dir);
  for (const part of ['dist', 'native', 'binding.gyp', 'package.json', 'scripts/build-native.mjs', 'scripts/compile-native.mjs']) cpSync(join(root, part), join(dir, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function install(dir: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], {
    cwd: dir,
    env: { ...process.env, HIVESTREAM_SKIP_NATIVE: '', HIVESTREAM_BUILD_FROM_SOURCE: '', npm_config_build_from_source: '', ...env },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** What the package's loader picks in `dir`. */
function loaded(dir: string): { origin?: { origin: string; file: string }; error?: string } {
  const code = `const m = await import('./dist/engine/backends/native.js'); const n = m.loadNative();
    console.log(JSON.stringify('error' in n ? { error: n.error } : { origin: m.nativeOrigin() }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, encoding: 'utf8', env: { ...process.env, HIVESTREAM_NATIVE: '' } });
  return JSON.parse(run.stdout) as { origin?: { origin: string; file: string }; error?: string };
}

const PREBUILD = 'prebuilds/linux-x64/hivestream.napi.glibc.node';

describe('install script (scripts/build-native.mjs)', () => {
  it('is what `npm install` runs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.install).toBe('node scripts/build-native.mjs');
  });

  it('HIVESTREAM_SKIP_NATIVE=1: exits 0 with one line saying why, and leaves build/ alone', () => {
    const before = existsSync(addonFile) ? statSync(addonFile).mtimeMs : undefined;
    const run = spawnSync(process.execPath, [script], { env: { ...process.env, HIVESTREAM_SKIP_NATIVE: '1' }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('hivestream: native addon unavailable (build skipped: HIVESTREAM_SKIP_NATIVE=1); portable SHA-256/LZ4 back ends will be used\n');
    expect(existsSync(addonFile) ? statSync(addonFile).mtimeMs : undefined).toBe(before);
  });

  it('a failing build: exits 0 with one line naming the error, the full log kept', () => {
    // A copy of the package with a source file missing, so node-gyp fails in make.
    const dir = packageCopy();
    writeFileSync(join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'hivestream_native', sources: ['native/missing.c'] }] }));
    const run = install(dir);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hivestream: native addon unavailable \(make: \*\*\* No rule to make target .*missing\.o.*; full log in build\/native-build\.log\); portable SHA-256\/LZ4 back ends will be used$/);
    expect(readFileSync(join(dir, 'build', 'native-build.log'), 'utf8')).toMatch(/No rule to make target/);
  });

  describe.skipIf(!hasCompiler && process.env.HIVESTREAM_REQUIRE_NATIVE !== '1')('with a prebuild in the package', () => {
    it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('a prebuild that loads is used, nothing compiled; --build-from-source compiles anyway', () => {
      const dir = packageCopy();
      mkdirSync(join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
      copyFileSync(addonFile, join(dir, PREBUILD));
      const run = install(dir);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^hivestream: using the prebuilt native addon \\(${PREBUILD.replace(/\./g, '\\.')}; SHA-256 (sha-ni|portable), liblz4 [\\d.]+\\)\\n$`));
      expect(existsSync(join(dir, 'build'))).toBe(false);
      expect(loaded(dir).origin).toEqual({ origin: 'prebuild', file: PREBUILD });

      const forced = install(dir, { npm_config_build_from_source: 'true' });
      expect(forced.stdout).toBe('hivestream: native addon built from source (build/Release/hivestream_native.node)\n');
      // A build from source, when there is one, comes first.
      expect(loaded(dir).origin).toEqual({ origin: 'source', file: 'build/Release/hivestream_native.node' });
    });

    it('a prebuild that does not load (here: not a shared object) is passed over: compiled from source, the reason said', () => {
      const dir = packageCopy();
      const name = `prebuilds/${process.platform}-${process.arch}/hivestream.napi.${process.platform === 'linux' ? 'glibc.' : ''}node`;
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), 'not an ELF file');
      const run = install(dir);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^hivestream: native addon built from source \\(build/Release/hivestream_native\\.node\\) because the prebuild did not load: .*${name.replace(/\./g, '\\.')} does not load: .*\\n$`));
      expect(loaded(dir).origin).toEqual({ origin: 'source', file: 'build/Release/hivestream_native.node' });
    });

    it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('in a source checkout (src/ present) the install compiles even beside a prebuild that loads: it may be older than the C sources', () => {
      const dir = packageCopy();
      mkdirSync(join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
      copyFileSync(addonFile, join(dir, PREBUILD));
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'index.ts'), '');
      expect(install(dir).stdout).toBe('hivestream: native addon built from source (build/Release/hivestream_native.node)\n');
    });
  });
});
