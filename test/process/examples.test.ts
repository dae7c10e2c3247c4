// The process examples, run as a user would: the JSON Lines to dataset
// script, the tokenizer and the filter through the CLI. Each result is
// checked against the same work done line by line on the main thread.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrainingRecords, verify } from '../../dist/index.js';
import { ROOT, runCli, sample, tempDir } from '../helpers/fixtures.js';
// @ts-expect-error a plain .mjs example, no types
import { detokenize } from '../../examples/process/tokenize.mjs';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const example = (name: string): string => `${ROOT}examples/${name}`;

/** JSON Lines, with the generator's few broken lines (where its 1 MiB blocks meet) and some CRLF endings. */
const text = Buffer.from(sample('text', 3 << 20, 17).toString('utf8').replace(/(\d)"}\n/g, (m, d: string) => (d === '7' ? `${d}"}\r\n` : m)));
const input = tmp.path('data.jsonl');
writeFileSync(input, text);
const lines = text.toString('utf8').split('\n').filter((l) => l.length > 0);
const parsed = lines.map((l) => {
  try {
    return JSON.parse(l) as Record<string, unknown>;
  } catch {
    return undefined;
  }
});

function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples of process', () => {
  it('jsonl-to-dataset: every JSON line becomes a float32 record, in order; broken lines are skipped and counted', async () => {
    const out = tmp.path('data.hvs');
    const r = await node([example('jsonl-to-dataset.mjs'), input, out, '--inputs', 'score,id', '--labels', 'cat,dog,bird']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const good = parsed.filter((p) => p !== undefined);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: good.length, skippedLines: parsed.length - good.length });
    expect(parsed.length - good.length).toBeGreaterThan(0);
    const labels = ['cat', 'dog', 'bird'];
    let i = 0;
    for await (const rec of readTrainingRecords(out)) {
      const p = good[i++] ?? {};
      expect([...rec.inputs]).toEqual([Math.fround(Number(p.score)), Math.fround(Number(p.id))]);
      expect([...rec.targets]).toEqual([labels.indexOf(String(p.label))]);
    }
    expect(i).toBe(good.length);
  });

  it('tokenize: int32 token ids, a sequence per line, the same as tokenizing the whole text at once', async () => {
    const out = tmp.path('data.i32');
    const r = await runCli(['process', input, '--module', example('process/tokenize.mjs'), '--boundary', 'newline', '--chunk-size', '64KiB', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bytes = readFileSync(out);
    const ids = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    // One end-of-sequence id per newline (the generated text's last line has none).
    expect(ids.filter((id) => id === 1).length).toBe(text.toString('latin1').split('\n').length - 1);
    expect((detokenize as (ids: Int32Array) => Buffer)(ids).equals(Buffer.from(text.toString('utf8').replace(/\r\n/g, '\n')))).toBe(true);
  });

  it('filter: keeps the matching records in order, drops the rest; packed, the output is a record-aligned container', async () => {
    const params = JSON.stringify({ field: 'label', equals: 'horse' });
    const expected = lines.filter((_l, i) => parsed[i]?.label === 'horse');
    const out = tmp.path('horses.jsonl');
    const r = await runCli(['process', input, '-m', example('process/filter.mjs'), '--boundary', 'newline', '-c', '64KiB', '--params', params, '-o', out, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ operation: 'process', bytes: text.length, boundary: 10 });
    expect(readFileSync(out, 'utf8')).toBe(expected.map((l) => `${l}\n`).join(''));
    const packed = tmp.path('horses.hvs');
    const p = await runCli(['process', input, '-m', example('process/filter.mjs'), '--boundary', 'newline', '-c', '64KiB', '--params', params, '-o', packed, '--pack', '--lz4', '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout.toString())).toMatchObject({ output: { compression: 'lz4', boundary: 10, bytes: Buffer.byteLength(expected.map((l) => `${l}\n`).join('')) } });
    await expect(verify(packed)).resolves.toMatchObject({ operation: 'verify' });
  });
});
