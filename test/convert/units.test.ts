import { describe, expect, it } from 'vitest';
import { ManifestError, ValidationError, outputName, parseShard, shardOf } from '../../dist/index.js';
import { parseManifest } from '../../dist/convert/manifest.js';
import { checkRelative, outputPath } from '../../dist/convert/paths.js';

describe('shards', () => {
  it('hash the relative POSIX path: first 4 bytes of SHA-256, big-endian, mod n (pinned values)', () => {
    // SHA-256("a/b.bin") starts with 0xcdfdb26c = 3455948396.
    expect(shardOf('a/b.bin', 1000)).toBe(3455948396 % 1000);
    expect([shardOf('a/b.bin', 4), shardOf('file-1.txt', 4), shardOf('large/big-0.bin', 4), shardOf('données/é.bin', 4)]).toEqual([0, 0, 1, 1]);
    expect(shardOf('données/é.bin', 1000)).toBe(9);
  });

  it('spread names evenly enough, and every name lands in exactly one shard', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 5000; i++) {
      const k = shardOf(`dir-${i % 17}/file-${i}.bin`, 5);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5000);
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it('parse k/n and auto from Kubernetes, Slurm or explicit variables', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '2', HIVESTREAM_SHARD_COUNT: '3' })).toEqual({ index: 2, count: 3 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 1, count: 4 });
    // A 1-based array (--array=1-4) is shifted by SLURM_ARRAY_TASK_MIN.
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto', { HIVESTREAM_SHARD_INDEX: '0', JOB_COMPLETION_INDEX: '5', HIVESTREAM_SHARD_COUNT: '2' })).toEqual({ index: 0, count: 2 });
    for (const [text, env, message] of [
      ['4/4', {}, /not below the shard count 4; shards are numbered from 0/],
      ['1/0', {}, /outside 1 to/],
      ['two', {}, /not k\/n/],
      ['auto', {}, /auto needs HIVESTREAM_SHARD_INDEX, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID/],
      ['auto', { JOB_COMPLETION_INDEX: '1' }, /shard count in HIVESTREAM_SHARD_COUNT/],
      ['auto', { JOB_COMPLETION_INDEX: 'x', HIVESTREAM_SHARD_COUNT: '2' }, /not a whole number/],
    ] as const) {
      expect(() => parseShard(text, env)).toThrow(ValidationError);
      expect(() => parseShard(text, env)).toThrow(message);
    }
  });
});

describe('output names', () => {
  it('--to hvs appends .hvs unless the file is a container; --to raw strips it or adds .raw', () => {
    expect(outputName('a/b/name.ext', 'hvs')).toBe('a/b/name.ext.hvs');
    expect(outputName('a/name.hvs', 'hvs')).toBe('a/name.hvs');
    expect(outputName('a/name.ext.hvs', 'raw')).toBe('a/name.ext');
    expect(outputName('a/blob.bin', 'raw')).toBe('a/blob.bin.raw');
    expect(outputName('.hvs', 'hvs')).toBe('.hvs.hvs');
    expect(outputName('.hvs', 'raw')).toBe('.hvs.raw');
  });

  it('refuse anything that is not a plain relative path under the output folder', () => {
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a/.', '']) {
      expect(() => checkRelative(bad)).toThrow(ValidationError);
      expect(() => outputPath('/tmp/out', bad)).toThrow(/not a plain relative path/);
    }
    expect(outputPath('/tmp/out', 'a/..b/c..')).toBe('/tmp/out/a/..b/c..');
  });
});

describe('manifest parsing', () => {
  const job = JSON.stringify({ kind: 'job', version: 1, to: 'hvs', jobFiles: 1, shardFiles: 1, listSha256: 'x', inputs: ['/in'], outDir: '/out' });
  const done = JSON.stringify({ kind: 'file', input: 'a', output: 'a.hvs', op: 'pack', status: 'done', inputSize: 1, inputMtimeMs: 2, bytes: 1, storedBytes: 900, rootDigest: 'ab' });

  it('ignores a torn last line (a crash mid-write) and says where the good part ends', () => {
    const text = `${job}\n${done}\n{"kind":"file","input":"b","outp`;
    const m = parseManifest(text, 'm.jsonl');
    expect(m.lines).toHaveLength(2);
    expect(m.torn).toBe(true);
    expect(m.validBytes).toBe(Buffer.byteLength(`${job}\n${done}\n`));
    expect(parseManifest(`${job}\n${done}\n`, 'm').torn).toBe(false);
  });

  it('rejects a damaged line in the middle, naming it', () => {
    expect(() => parseManifest(`${job}\nnot json\n${done}\n`, 'm.jsonl')).toThrow(ManifestError);
    expect(() => parseManifest(`${job}\nnot json\n${done}\n`, 'm.jsonl')).toThrow(/manifest m\.jsonl: line 2 is not JSON/);
    expect(() => parseManifest(`${job}\n{"kind":"file","input":"a","output":"b","op":"pack","status":"maybe"}\n`, 'm')).toThrow(/unknown status/);
  });
});
