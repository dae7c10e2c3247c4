// The package as users get it: `npm pack` from a clean copy of the source
// (what a fresh clone holds: no dist/, no build/, no prebuilds/) builds dist/
// and the prebuilt addon through `prepack`; the tarball ships only what runs
// plus the docs; installed into empty projects (with --ignore-scripts, and
// with the install script but no compiler on PATH) it runs pack, verify and
// a library import on the prebuilt native SHA-256; --build-from-source
// compiles; without any addon it runs on the portable back ends and says so.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-package-');
afterAll(() => tmp.cleanup());

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';
const hasCompiler = spawnSync('cc', ['--version']).status === 0;
const PREBUILD = 'prebuilds/linux-x64/hivestream.napi.glibc.node';

/** A PATH with node, npm and sh only: no cc, g++, make or python3. */
const BARE = tmp.path('bare-bin');
const which = (tool: string): string => spawnSync('sh', ['-c', `readlink -f "$(command -v ${tool})"`], { encoding: 'utf8' }).stdout.trim();

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, HIVESTREAM_CACHE_DIR: join(cwd, '.cache'), ...env }, maxBuffer: 64 << 20 });
}

const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund'];
let tarball = '';
let packOutput = '';

beforeAll(() => {
  mkdirSync(BARE);
  for (const tool of ['node', 'npm', 'sh']) symlinkSync(which(tool), join(BARE, tool));
  // A clean copy: the files git would check out (tracked, or new and not ignored).
  const clone = tmp.path('clone');
  const listed = sh('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], ROOT).stdout.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
  for (const f of listed) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(ROOT, f), join(clone, f));
  }
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  const pack = sh('npm', ['pack', '--json', '--pack-destination', tmp.dir], clone);
  packOutput = pack.stderr;
  expect(pack.status, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string }>;
  tarball = join(tmp.dir, info?.filename ?? '');
}, 180_000);

function files(): string[] {
  return sh('tar', ['-tzf', tarball], tmp.dir)
    .stdout.split('\n')
    .filter((f) => f !== '')
    .map((f) => f.replace(/^package\//, ''));
}

/** An empty project with the tarball installed. */
function project(name: string, npmArgs: string[], env: Record<string, string> = {}): { dir: string; install: SpawnSyncReturns<string> } {
  const dir = tmp.path(name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
  const install = sh('npm', ['install', tarball, ...NPM_QUIET, ...npmArgs], dir, env);
  expect(install.status, install.stderr).toBe(0);
  return { dir, install };
}

const cli = (dir: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> => sh(join(dir, 'node_modules', '.bin', 'hivestream'), args, dir, { PATH: BARE, ...env });

describe('npm pack from a clean copy', () => {
  it('prepack builds dist/ and the prebuild; the tarball ships what runs, the docs, and nothing else', () => {
    expect(packOutput).toMatch(/prebuild: prebuilds\/\S+ \(\d+ KiB, N-API 8/);
    const list = files();
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/engine/backends/wasm-simd/sha256x4.wasm', 'binding.gyp', 'native/addon.c', 'native/sha256.h', 'scripts/build-native.mjs', 'scripts/compile-native.mjs', 'docs/NATIVE.md', 'docs/CONVERT.md']) {
      expect(list, f).toContain(f);
    }
    if (onLinuxX64) expect(list).toContain(PREBUILD);
    expect(list.filter((f) => f.endsWith('.map') || f.endsWith('.wat'))).toEqual([]);
    expect(list.filter((f) => f.startsWith('scripts/')).sort()).toEqual(['scripts/build-native.mjs', 'scripts/compile-native.mjs']);
    expect(list.filter((f) => /^(src|test|bench|examples|native\/selftest|\.ci)\//.test(f) || f === 'Dockerfile')).toEqual([]);
  });
});

describe.skipIf(!onLinuxX64)('installed from the tarball (linux-x64)', () => {
  it('no compiler on the bare PATH (the simulated slim image)', () => {
    for (const tool of ['cc', 'gcc', 'g++', 'make', 'python3']) expect(spawnSync(tool, ['--version'], { env: { PATH: BARE } }).error, tool).toBeDefined();
  });

  it('--ignore-scripts: pack and verify run on the prebuilt native SHA-256 (SHA-NI where the CPU has it), and the library imports', () => {
    const { dir, install } = project('ignore-scripts', ['--ignore-scripts'], { PATH: BARE });
    expect(install.stderr).not.toMatch(/EBADENGINE/);
    writeFileSync(join(dir, 'in.bin'), sample('mixed', 3_000_000, 4));
    const info = JSON.parse(cli(dir, ['info', '--json']).stdout) as { native: { available: boolean; origin?: string; file?: string; sha256Impl?: string }; cpu: { sha?: boolean }; fallbacks: unknown[] };
    expect(info.native).toMatchObject({ available: true, origin: 'prebuild', file: PREBUILD });
    expect(info.native.sha256Impl).toBe(info.cpu.sha === true ? 'sha-ni' : 'portable');
    expect(info.fallbacks).toEqual([]);

    const pack = cli(dir, ['pack', 'in.bin', '-o', 'in.hvs', '--lz4', '--hash-backend', 'native', '--json']);
    expect(pack.stderr).toBe('');
    const report = JSON.parse(pack.stdout) as { hashBackend: string; nativeAddon: { origin: string; sha256Impl: string }; fallbacks: unknown[]; bytes: number };
    expect(report).toMatchObject({ hashBackend: 'native', bytes: 3_000_000, fallbacks: [], nativeAddon: { origin: 'prebuild', file: PREBUILD, sha256Impl: info.native.sha256Impl } });
    const text = cli(dir, ['verify', 'in.hvs']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/back ends {2}SHA-256 \w+/);

    const lib = sh(
      process.execPath,
      ['--input-type=module', '-e', `import { pack, verify } from 'hivestream'; const p = await pack(new Uint8Array(100000), 'lib.hvs'); const v = await verify('lib.hvs'); console.log(JSON.stringify({ same: p.rootDigest === v.rootDigest, origin: v.nativeAddon?.origin }));`],
      dir,
      { PATH: BARE },
    );
    expect(lib.stderr).toBe('');
    expect(JSON.parse(lib.stdout)).toEqual({ same: true, origin: 'prebuild' });
  });

  it('without the prebuild and without a build: the portable back ends, and a notice with the reason and the fix (silenced by HIVESTREAM_QUIET_FALLBACK=1)', () => {
    const dir = tmp.path('ignore-scripts');
    const pkg = join(dir, 'node_modules', 'hivestream');
    renameSync(join(pkg, 'prebuilds'), join(pkg, 'prebuilds.away'));
    try {
      const r = cli(dir, ['pack', 'in.bin', '-o', 'slow.hvs', '-q']);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/^hivestream: running SHA-256 on \S+ and LZ4 on lz4-napi instead of the native addon, slower than this machine allows \(native addon not loaded: not built from source \(no build\/Release\/hivestream_native\.node\); no prebuild for linux-x64\); fix: npm rebuild hivestream .*\n$/);
      expect(cli(dir, ['pack', 'in.bin', '-o', 'slow.hvs', '-q'], { HIVESTREAM_QUIET_FALLBACK: '1' }).stderr).toBe('');
      expect(cli(dir, ['info']).stdout).toMatch(/^note: running SHA-256 on /m);
    } finally {
      renameSync(join(pkg, 'prebuilds.away'), join(pkg, 'prebuilds'));
    }
  });

  it('with the install script and no compiler: the install takes the prebuild and says so; nothing is compiled', () => {
    const { dir, install } = project('install-script', ['--foreground-scripts'], { PATH: BARE });
    expect(install.stdout + install.stderr).toMatch(/hivestream: using the prebuilt native addon \(prebuilds\/linux-x64\/hivestream\.napi\.glibc\.node; SHA-256 (sha-ni|portable), liblz4 [\d.]+\)/);
    expect(install.stderr).not.toMatch(/EBADENGINE/);
    expect(existsSync(join(dir, 'node_modules', 'hivestream', 'build'))).toBe(false);
    writeFileSync(join(dir, 'in.bin'), sample('text', 1_000_000, 5));
    const pack = JSON.parse(cli(dir, ['pack', 'in.bin', '-o', 'in.hvs', '--hash-backend', 'native', '--json']).stdout) as { nativeAddon: { origin: string } };
    expect(pack.nativeAddon.origin).toBe('prebuild');
    // The Dockerfile's own check of the image, run here as the image would run it.
    const check = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .find((l) => l.startsWith('RUN ') && l.includes('hivestream info --json'));
    const ran = sh('sh', ['-c', (check ?? 'false').slice(4)], dir, { PATH: `${join(dir, 'node_modules', '.bin')}:${BARE}` });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe(`native addon: prebuild ${PREBUILD}\n`);
  });

  it.skipIf(!hasCompiler && process.env.HIVESTREAM_REQUIRE_NATIVE !== '1')('--build-from-source compiles the addon from the shipped sources, and it is the one used', () => {
    const { dir, install } = project('from-source', ['--build-from-source', '--foreground-scripts']);
    expect(install.stdout + install.stderr).toMatch(/hivestream: native addon built from source \(build\/Release\/hivestream_native\.node\)/);
    const info = JSON.parse(cli(dir, ['info', '--json']).stdout) as { native: { origin: string; file: string } };
    expect(info.native).toMatchObject({ origin: 'source', file: 'build/Release/hivestream_native.node' });
  });
});

describe('dependencies on Node 20', () => {
  it('npm ci of the lockfile warns of no unsupported engine (EBADENGINE)', () => {
    const dir = tmp.path('engines');
    mkdirSync(dir);
    for (const f of ['package.json', 'package-lock.json']) writeFileSync(join(dir, f), readFileSync(join(ROOT, f)));
    const r = sh('npm', ['ci', '--dry-run', '--ignore-scripts', ...NPM_QUIET], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/EBADENGINE/);
  });
});
