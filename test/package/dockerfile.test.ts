// The Dockerfile the Kubernetes and Slurm examples run: its commands are
// checked against package.json (the scripts it relies on exist and do what
// it says), its stages against what the image must be (Node 20, a compiler
// only where the package is built, liblz4 and no compiler where it runs),
// and docs/CONVERT.md names the image it builds. With
// HIVESTREAM_DOCKER_BUILD=1 and a working docker, the image is built and run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Array<{ op: string; args: string }>;
}

/** Dockerfile instructions by stage (continuation lines joined, comments dropped). */
function stages(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, ' ').split('\n');
  const out: Stage[] = [];
  for (const raw of joined) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (m === null) throw new Error(`not an instruction: ${line}`);
    const [op = '', args = ''] = [m[1], m[2]];
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      out.push({ from: f?.[1] ?? '', name: f?.[2], instructions: [] });
    } else {
      out.at(-1)?.instructions.push({ op, args });
    }
  }
  return out;
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string>; bin: Record<string, string>; engines: { node: string } };
const [build, run] = stages(dockerfile);
const runs = (s: Stage | undefined): string[] => (s?.instructions ?? []).filter((i) => i.op === 'RUN').map((i) => i.args);
const COMPILERS = /\b(build-essential|g\+\+|gcc|clang|make|python3)\b/;

describe('Dockerfile', () => {
  it('two stages: built on full Node 20, run on slim Node 20', () => {
    expect(stages(dockerfile)).toHaveLength(2);
    expect(build?.from).toMatch(/^node:20-[a-z]+$/);
    expect(build?.name).toBe('build');
    expect(run?.from).toMatch(/^node:20-[a-z]+-slim$/);
    expect(pkg.engines.node).toBe('>=20');
  });

  it('every npm command it runs exists in package.json, and npm pack builds dist/ and the prebuild through prepack', () => {
    const npm = [...runs(build), ...runs(run)].flatMap((r) => [...r.matchAll(/\bnpm (run \S+|ci|pack|install)\b/g)].map((m) => m[1] ?? ''));
    expect(npm).toEqual(expect.arrayContaining(['ci', 'pack', 'install']));
    for (const cmd of npm.filter((c) => c.startsWith('run '))) expect(Object.keys(pkg.scripts), cmd).toContain(cmd.slice(4));
    expect(pkg.scripts.prepack).toBe('npm run build && node scripts/prebuild.mjs');
    expect(pkg.scripts.build).toMatch(/\btsc -p tsconfig\.build\.json\b/);
    // npm ci needs the lockfile, which the stage copies first.
    expect(build?.instructions.find((i) => i.op === 'COPY')?.args).toBe('package.json package-lock.json ./');
    expect(runs(build).find((r) => r.includes('npm pack'))).toMatch(/--pack-destination \/pkg$/);
  });

  it('the run stage installs liblz4 (the library the addon opens) and no compiler, then the package from the build stage', () => {
    const lz4Name = /#define DEFAULT_LIBLZ4 "(liblz4\.so\.\d+)"/.exec(readFileSync(join(ROOT, 'native', 'lz4_dyn.c'), 'utf8'))?.[1];
    expect(lz4Name).toBe('liblz4.so.1');
    const apt = runs(run).find((r) => r.includes('apt-get install')) ?? '';
    expect(apt).toMatch(/apt-get install -y --no-install-recommends liblz4-1\b/);
    for (const r of runs(run)) expect(r).not.toMatch(COMPILERS);
    expect(run?.instructions.find((i) => i.op === 'COPY')?.args).toBe('--from=build /pkg/ /tmp/pkg/');
    expect(runs(run).find((r) => r.startsWith('npm install -g'))).toMatch(/^npm install -g \/tmp\/pkg\/hivestream-\*\.tgz /);
    // The build fails unless the native addon is in use.
    expect(runs(run).some((r) => r.includes('hivestream info --json') && r.includes('process.exit(1)'))).toBe(true);
  });

  it('runs as a non-root user with hivestream (the package bin) as the entry point', () => {
    const last = (op: string): string | undefined => run?.instructions.filter((i) => i.op === op).at(-1)?.args;
    expect(last('USER')).toBe('node');
    expect(JSON.parse(last('ENTRYPOINT') ?? '[]')).toEqual(Object.keys(pkg.bin));
  });

  it('docs/CONVERT.md builds this image and its Kubernetes and Slurm examples run it', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'CONVERT.md'), 'utf8');
    const tag = /docker build -t (\S+) \./.exec(docs)?.[1];
    expect(tag).toBe(`registry.example.com/${pkg.name}:${pkg.version}`);
    expect(/image: (\S+)/.exec(docs)?.[1]).toBe(tag);
    expect(docs).toContain(`docker://${tag ?? ''}`);
    expect(dockerfile).toContain(`docker build -t ${tag ?? ''} .`);
  });

  const docker = process.env.HIVESTREAM_DOCKER_BUILD === '1' && spawnSync('docker', ['info']).status === 0;
  it.skipIf(!docker)('builds, and the image runs on the prebuilt native addon (HIVESTREAM_DOCKER_BUILD=1)', () => {
    const tag = `hivestream-test:${pkg.version}`;
    const b = spawnSync('docker', ['build', '-t', tag, ROOT], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(b.status, b.stderr).toBe(0);
    const info = spawnSync('docker', ['run', '--rm', tag, 'info', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(info.stdout)).toMatchObject({ native: { available: true, origin: 'prebuild' }, fallbacks: [] });
  }, 900_000);
});
