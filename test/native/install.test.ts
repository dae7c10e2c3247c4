import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts', 'build-native.mjs');
const addonFile = join(root, 'build', 'Release', 'hivestream_native.node');
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('install script (scripts/build-native.mjs)', () => {
  it('is what `npm install` runs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.install).toBe('node scripts/build-native.mjs');
  });

  it('HIVESTREAM_SKIP_NATIVE=1: exits 0 with one line saying why, and leaves build/ alone', () => {
    const before = existsSync(addonFile) ? statSync(addonFile).mtimeMs : undefined;
    const run = spawnSync(process.execPath, [script], {
      env: { ...process.env, HIVESTREAM_SKIP_NATIVE: '1' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      'hivestream: native addon unavailable (build skipped: HIVESTREAM_SKIP_NATIVE=1); ' +
        'portable SHA-256/LZ4 back ends will be used\n',
    );
    expect(existsSync(addonFile) ? statSync(addonFile).mtimeMs : undefined).toBe(before);
  });

  it('a failing build: exits 0 with one line naming the error, the full log kept', () => {
    // A copy of the project with a source file missing, so node-gyp fails in make.
    const dir = mkdtempSync(join(tmpdir(), 'hivestream-install-'));
    scratch.push(dir);
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(script, join(dir, 'scripts', 'build-native.mjs'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), '{"name":"broken","version":"0.0.0"}\n');
    writeFileSync(
      join(dir, 'binding.gyp'),
      JSON.stringify({ targets: [{ target_name: 'hivestream_native', sources: ['native/missing.c'] }] }),
    );
    const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], {
      env: { ...process.env, HIVESTREAM_SKIP_NATIVE: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hivestream: native addon unavailable \(make: \*\*\* No rule to make target .*missing\.o.*; full log in build\/native-build\.log\); portable SHA-256\/LZ4 back ends will be used$/);
    expect(readFileSync(join(dir, 'build', 'native-build.log'), 'utf8')).toMatch(/No rule to make target/);
  });
});
