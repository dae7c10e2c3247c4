// adviseHugePages: advice for whole 2 MiB pages inside the buffer only, and
// the ring asks for it before first use (unless HIVESTREAM_HUGE_PAGES=0).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ring } from '../../dist/engine/main/ring.js';
import { addon, native, skipNote } from './addon.js';

const HUGE = 2 << 20;
/** THP as the kernel offers it: "[madvise]" or "[always]" selected, or missing. */
function thpMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
const thp = process.platform === 'linux' && (thpMode() === 'madvise' || thpMode() === 'always');

describe.skipIf(addon === undefined)(`adviseHugePages${skipNote}`, () => {
  it('advises only whole huge pages inside the buffer', () => {
    const n = native();
    const advise = n.adviseHugePages;
    expect(advise).toBeTypeOf('function');
    if (advise === undefined) return;
    expect(advise(new Uint8Array(new SharedArrayBuffer(HUGE - 1)))).toBe(0);
    const size = 5 * HUGE + 12345;
    const advised = advise(new Uint8Array(new SharedArrayBuffer(size)));
    if (thp) {
      expect(advised % HUGE).toBe(0);
      // 5 MiB + a bit holds at least 4 whole aligned huge pages, wherever it starts.
      expect(advised).toBeGreaterThanOrEqual(4 * HUGE);
    }
    expect(advised).toBeLessThanOrEqual(size);
  });

  it('rejects what is not a buffer with a TypeError naming the call', () => {
    const advise = native().adviseHugePages;
    expect(() => advise?.(42 as unknown as Uint8Array)).toThrow(/adviseHugePages/);
  });

  it.skipIf(!thp)('is asked for by a new ring, and not with HIVESTREAM_HUGE_PAGES=0', () => {
    const layout = { controlSlots: 16, arenaBytes: 16 << 20 };
    expect(new Ring(layout).hugePageBytes).toBeGreaterThan(0);
    const before = process.env.HIVESTREAM_HUGE_PAGES;
    process.env.HIVESTREAM_HUGE_PAGES = '0';
    try {
      expect(new Ring(layout).hugePageBytes).toBe(0);
    } finally {
      if (before === undefined) delete process.env.HIVESTREAM_HUGE_PAGES;
      else process.env.HIVESTREAM_HUGE_PAGES = before;
    }
  });
});
