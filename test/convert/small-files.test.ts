// Small files are packed whole by workers (engine/worker/pack-files.ts): the
// same containers as pack() makes, a file swapped after the walk refused,
// and nothing left behind when a file fails.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, unpack } from '../../dist/index.js';
import { sample, tempDir } from '../helpers/fixtures.js';
const tmp = tempDir('hvs-small-files-');
afterAll(() => tmp.cleanup());

async function restore(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  await unpack(path, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }));
  return Buffer.concat(parts);
}

describe('small files packed whole by workers', () => {
  it('round-trips files of 0 B to 256 KiB with 4 KiB and 1 MiB chunks, LZ4 and not', async () => {
    const input = tmp.path('in');
    const sizes = [0, 1, 4095, 4096, 4097, 65_536, 100_000, 256 << 10];
    mkdirSync(input, { recursive: true });
    sizes.forEach((n, i) => writeFileSync(join(input, `f${i}.bin`), sample(i % 2 === 0 ? 'text' : 'random', n, 40 + i)));
    for (const [chunkSize, compression] of [['4KiB', 'lz4'], ['1MiB', 'none']] as const) {
      const out = tmp.path(`out-${chunkSize}`);
      const r = await convert({ inputs: [input], outDir: out, to: 'hvs', chunkSize, compression });
      expect(r.files.converted).toBe(sizes.length);
      for (let i = 0; i < sizes.length; i++) {
        expect((await restore(join(out, `f${i}.bin.hvs`))).equals(readFileSync(join(input, `f${i}.bin`)))).toBe(true);
      }
      expect(readdirSync(out).filter((n) => n.endsWith('.partial'))).toEqual([]);
    }
  });

  it('refuses a file replaced after the walk (a link to a secret) and leaves no output for it', async () => {
    const input = tmp.path('swap');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'a.txt'), 'hello');
    const secret = tmp.path('secret.txt');
    writeFileSync(secret, 'do not leak');
    const out = tmp.path('swap-out');
    let swapped = false;
    const r = await convert({
      inputs: [input],
      outDir: out,
      to: 'hvs',
      keepGoing: true,
      onEvent: (e) => {
        if (e.type === 'start' && !swapped) {
          swapped = true;
          rmSync(join(input, 'a.txt'));
          symlinkSync(secret, join(input, 'a.txt'));
        }
      },
    });
    expect(r.files.failed).toBe(1);
    expect(r.failures[0]).toMatchObject({ input: 'a.txt', code: 'E_INPUT_CHANGED' });
    expect(r.failures[0]?.message).toMatch(/replaced after the folder was listed/);
    expect(() => statSync(join(out, 'a.txt.hvs'))).toThrow();
    expect(readdirSync(out).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });
});
