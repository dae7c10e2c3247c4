// The seeded mutation corpus (scripts/fuzz-containers.mjs) within a time
// budget: HIVESTREAM_FUZZ_SECONDS (CI: 60; default 20). Every mutated
// container is rejected with a documented bad-input error or restores the
// exact original bytes; no crash, hang or leftover file; memory bounded.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

const seconds = Number(process.env.HIVESTREAM_FUZZ_SECONDS ?? 20);

interface Summary {
  tried: number;
  acceptedWrong: number;
  crashes: number;
  hangs: number;
  leftovers: number;
  cliRuns: number;
  cliUndocumented: number;
  maxRssMiB: number;
  byMutator: Record<string, number>;
  samples: unknown[];
}

describe('seeded mutation corpus', () => {
  it(`${seconds} s of mutated containers through verify and unpack (and some through the CLI)`, () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/fuzz-containers.mjs'), '--seconds', String(seconds), '--seed', '1', '--json'], {
      encoding: 'utf8',
      timeout: (seconds + 60) * 1000,
    });
    const s = JSON.parse(r.stdout) as Summary;
    console.log(`fuzz: ${s.tried} mutated containers, accepted-but-wrong ${s.acceptedWrong}, crashes ${s.crashes}, hangs ${s.hangs}, left behind ${s.leftovers}, CLI ${s.cliRuns} runs, max RSS ${s.maxRssMiB} MiB`);
    expect(s.samples).toEqual([]);
    expect(s.acceptedWrong).toBe(0);
    expect(s.crashes).toBe(0);
    expect(s.hangs).toBe(0);
    expect(s.leftovers).toBe(0);
    expect(s.cliUndocumented).toBe(0);
    expect(s.maxRssMiB).toBeLessThan(512);
    expect(s.tried).toBeGreaterThan(seconds * 20);
    expect(Object.keys(s.byMutator).length).toBeGreaterThanOrEqual(12);
    expect(r.status).toBe(0);
  }, (seconds + 90) * 1000);
});
