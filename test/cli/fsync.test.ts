// --fsync: the output's bytes are synced before the rename and its folder
// after it, so the rename itself survives a crash. Seen from outside with
// strace (the system calls the process really makes), for pack, unpack,
// convert and manifest merge.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-fsync-');
afterAll(() => tmp.cleanup());

const hasStrace = spawnSync('strace', ['-V']).status === 0;
const required = process.env.HIVESTREAM_REQUIRE_STRACE === '1';

interface Call {
  line: number;
  text: string;
}

/**
 * Runs the CLI under strace; returns the calls that matter, in time order,
 * and the exit code. One log per thread (-ff: libuv runs file calls on its
 * own threads, and one shared log would split calls across lines), merged by
 * their timestamps.
 */
function traced(args: string[]): { code: number | null; calls: Call[] } {
  const dir = tmp.path(`trace-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const run = spawnSync('strace', ['-f', '-ff', '-ttt', '-qq', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2,openat', '-o', `${dir}/t`, process.execPath, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HIVESTREAM_CACHE_DIR: tmp.path('cache') },
  });
  const timed = readdirSync(dir).flatMap((f) =>
    readFileSync(`${dir}/${f}`, 'utf8')
      .split('\n')
      .map((l) => /^(\d+\.\d+) (.*)$/.exec(l))
      .filter((m) => m !== null)
      // With strace's padding before "= result" squeezed to one space.
      .map((m) => ({ at: Number(m[1]), text: (m[2] ?? '').replace(/\s+/g, ' ') })),
  );
  timed.sort((a, b) => a.at - b.at);
  return { code: run.status, calls: timed.map((c, line) => ({ line, text: c.text })) };
}

/** For each rename of a `.partial` into its final name: was that folder opened and fsynced after it? */
function renamesFollowedByFolderSync(calls: Call[]): Array<{ target: string; folderSynced: boolean }> {
  const out: Array<{ target: string; folderSynced: boolean }> = [];
  for (const c of calls) {
    const m = /^rename(?:at2?)?\(.*"([^"]+\.partial)", (?:AT_FDCWD, )?"([^"]+)".*\) = 0$/.exec(c.text);
    if (m === null) continue;
    const target = m[2] ?? '';
    const folder = dirname(target);
    const after = calls.filter((x) => x.line > c.line);
    const opens = after.map((x) => new RegExp(`^openat\\(AT_FDCWD, "${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", O_RDONLY[^)]*\\) = (\\d+)$`).exec(x.text)).filter((x) => x !== null);
    const synced = opens.some((o) => after.some((x) => x.text === `fsync(${o[1] ?? ''}) = 0`));
    out.push({ target, folderSynced: synced });
  }
  return out;
}

describe.skipIf(!hasStrace && !required)(`--fsync syncs the folder after the rename${hasStrace ? '' : ' (skipped: no strace)'}`, () => {
  it('pack and unpack with --fsync; without it, no folder sync', () => {
    writeFileSync(tmp.path('a.bin'), sample('mixed', 300_000, 1));
    const pack = traced(['pack', tmp.path('a.bin'), '-o', tmp.path('a.hvs'), '--fsync', '-q']);
    expect(pack.code).toBe(0);
    expect(renamesFollowedByFolderSync(pack.calls).filter((r) => r.target.endsWith('a.hvs'))).toEqual([{ target: tmp.path('a.hvs'), folderSynced: true }]);
    const unpack = traced(['unpack', tmp.path('a.hvs'), '-o', tmp.path('a.out'), '--fsync', '-q']);
    expect(renamesFollowedByFolderSync(unpack.calls).filter((r) => r.target.endsWith('a.out'))).toEqual([{ target: tmp.path('a.out'), folderSynced: true }]);
    const plain = traced(['pack', tmp.path('a.bin'), '-o', tmp.path('b.hvs'), '-q']);
    expect(renamesFollowedByFolderSync(plain.calls).filter((r) => r.target.endsWith('b.hvs'))).toEqual([{ target: tmp.path('b.hvs'), folderSynced: false }]);
  });

  it('convert --fsync: every output, in its own folder; manifest merge: the merged manifest', () => {
    mkdirSync(tmp.path('in/sub'), { recursive: true });
    writeFileSync(tmp.path('in/x.bin'), sample('text', 50_000, 2));
    writeFileSync(tmp.path('in/sub/y.bin'), sample('text', 60_000, 3));
    const conv = traced(['convert', tmp.path('in'), '--to', 'hvs', '-o', tmp.path('out'), '--fsync', '--shard', '0/1', '-q']);
    expect(conv.code).toBe(0);
    expect(renamesFollowedByFolderSync(conv.calls).sort((a, b) => a.target.localeCompare(b.target))).toEqual([
      { target: tmp.path('out/sub/y.bin.hvs'), folderSynced: true },
      { target: tmp.path('out/x.bin.hvs'), folderSynced: true },
    ]);
    const merge = traced(['manifest', 'merge', tmp.path('out/.hivestream-manifest.jsonl'), '-o', tmp.path('out/merged.jsonl')]);
    expect(merge.code).toBe(0);
    expect(renamesFollowedByFolderSync(merge.calls)).toEqual([{ target: tmp.path('out/merged.jsonl'), folderSynced: true }]);
  });
});
