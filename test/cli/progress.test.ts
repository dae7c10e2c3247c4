// --progress: what each mode writes on stderr, with an injected clock.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../dist/index.js';
import { formatProgress, progressReporter, resolveProgress, type ProgressSettings } from '../../dist/cli/progress.js';

function stream(isTTY: boolean): { s: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { s: { isTTY, write: (t: string) => written.push(t) } as unknown as NodeJS.WriteStream, written };
}

const args = (values: Record<string, string | boolean>): { values: Record<string, string | boolean>; positionals: string[] } => ({ values, positionals: [] });

describe('progress figures', () => {
  it('files done of total, bytes of total, MB/s and ETA', () => {
    expect(formatProgress({ filesDone: 12, filesTotal: 300, bytesDone: 50e6, bytesTotal: 150e6, elapsedMs: 2000 })).toBe('files 12/300, 47.7 MiB of 143 MiB, 25.0 MB/s, ETA 4s');
    expect(formatProgress({ filesDone: 0, filesTotal: 3, bytesDone: 0, bytesTotal: 10, elapsedMs: 0 })).toMatch(/ETA \?$/);
    expect(formatProgress({ filesDone: 1, filesTotal: 3, bytesDone: 1e6, bytesTotal: 400e6, elapsedMs: 1000 })).toMatch(/ETA 6m39s$/);
    expect(formatProgress({ bytesDone: 25e6, bytesTotal: 100e6, elapsedMs: 500, chunks: 24 })).toBe('23.8 MiB of 95.4 MiB (25%), 50.0 MB/s, ETA 2s, 24 chunks');
    expect(formatProgress({ bytesDone: 25e6, bytesTotal: undefined, elapsedMs: 500 })).toBe('23.8 MiB, 50.0 MB/s');
  });
});

describe('--progress modes', () => {
  it('auto is the redrawn line on a terminal and nothing elsewhere; --quiet is none; a bad mode is a usage error', () => {
    expect(resolveProgress(args({}), stream(true).s)).toEqual({ mode: 'tty', intervalMs: 200 });
    expect(resolveProgress(args({}), stream(false).s)).toEqual({ mode: 'none', intervalMs: 0 });
    expect(resolveProgress(args({ quiet: true }), stream(true).s).mode).toBe('none');
    expect(resolveProgress(args({ quiet: true, progress: 'plain' }), stream(false).s)).toEqual({ mode: 'plain', intervalMs: 5000 });
    expect(resolveProgress(args({ progress: 'json', 'progress-interval': '250' }), stream(false).s)).toEqual({ mode: 'json', intervalMs: 250 });
    expect(() => resolveProgress(args({ progress: 'loud' }), stream(false).s)).toThrow(ValidationError);
    expect(() => resolveProgress(args({ progress: 'loud' }), stream(false).s)).toThrow(/"loud" is not one of auto, tty, plain, json, none/);
  });

  const run = (settings: ProgressSettings, isTTY: boolean, fail = false): string[] => {
    let t = 0;
    const { s, written } = stream(isTTY);
    const r = progressReporter('pack', 'packing', settings, s, () => t);
    for (let i = 1; i <= 10; i++) {
      t = i * 1000;
      r.update({ bytesDone: i * 10e6, bytesTotal: 100e6, elapsedMs: t, chunks: i * 10 });
    }
    r.end({ bytesDone: 100e6, bytesTotal: 100e6, elapsedMs: 10_000, chunks: 100 }, fail ? { code: 'E_IO', message: 'disk full', exitCode: 7 } : undefined);
    r.end(undefined);
    return written;
  };

  it('tty: redraws one line, then clears it', () => {
    const out = run({ mode: 'tty', intervalMs: 200 }, true);
    expect(out).toHaveLength(11);
    expect(out[0]).toBe('\r\x1b[Kpacking: 9.54 MiB of 95.4 MiB (10%), 10.0 MB/s, ETA 9s, 10 chunks');
    expect(out[10]).toBe('\r\x1b[K');
  });

  it('plain: a line per interval for logs, and a last line saying how it ended', () => {
    const out = run({ mode: 'plain', intervalMs: 5000 }, false);
    expect(out).toEqual([
      'packing: 47.7 MiB of 95.4 MiB (50%), 10.0 MB/s, ETA 5s, 50 chunks\n',
      'packing: 95.4 MiB of 95.4 MiB (100%), 10.0 MB/s, ETA 0s, 100 chunks\n',
      'packing: done, 95.4 MiB of 95.4 MiB (100%), 10.0 MB/s, ETA 0s, 100 chunks\n',
    ]);
    expect(run({ mode: 'plain', intervalMs: 5000 }, false, true).at(-1)).toMatch(/^packing: failed \(E_IO\), /);
  });

  it('json: NDJSON start, progress every interval (bytes, MB/s, ETA), end with ok or the error', () => {
    const events = run({ mode: 'json', intervalMs: 2000 }, false).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual(['start', 'progress', 'progress', 'progress', 'progress', 'progress', 'end']);
    expect(events[1]).toMatchObject({ operation: 'pack', bytesDone: 10e6, bytesTotal: 100e6, percent: 10, mbPerSec: 10, etaSeconds: 9, elapsedSeconds: 1, chunks: 10 });
    expect(events[6]).toMatchObject({ type: 'end', ok: true, bytesDone: 100e6, etaSeconds: 0 });
    const failed = run({ mode: 'json', intervalMs: 2000 }, false, true).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(failed.at(-1)).toMatchObject({ type: 'end', ok: false, error: { code: 'E_IO', message: 'disk full', exitCode: 7 } });
  });

  it('none: nothing', () => {
    expect(run({ mode: 'none', intervalMs: 0 }, true)).toEqual([]);
  });
});
