// Memory comes back whatever the options: small packs alternating between
// three option sets (which used to cost a pool each, ~120 ms a call, and
// took RSS to ~2 GiB after 600 calls) run on the one engine in a few ms,
// and neither resident nor heap memory grows after a warm-up.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

interface Figures {
  calls: number;
  msPerCall: number;
  warm: { rssMiB: number; heapMiB: number };
  end: { rssMiB: number; heapMiB: number };
  afterClose: { rssMiB: number; heapMiB: number };
}

describe('memory that comes back', () => {
  it('600 small packs alternating three option sets: RSS and heap flat after the first 100', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'test/helpers/alternating-packs.mjs'), join(ROOT, 'dist/index.js'), '600'], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout) as Figures;
    // Noise on a shared machine is a few tens of MiB of RSS; a pool per option set was hundreds.
    expect(f.end.rssMiB - f.warm.rssMiB).toBeLessThan(64);
    expect(f.end.heapMiB - f.warm.heapMiB).toBeLessThan(4);
    expect(f.afterClose.rssMiB).toBeLessThan(400);
  }, 120_000);
});
