import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { isNativeAvailable, loadNative } from '../../dist/engine/backends/native.js';
import { addon, skipNote } from './addon.js';

const loaderUrl = pathToFileURL(fileURLToPath(new URL('../../dist/engine/backends/native.js', import.meta.url))).href;

interface ProbeOutput {
  error?: string;
  abc?: string;
  lz4?: { available: boolean; library: string; error?: string; version?: string };
  compressError?: { code: unknown; message: string };
}

/** Loads the addon in a fresh `node` with the given environment and reports what it sees. */
function probe(env: Record<string, string>): ProbeOutput {
  const code = `
    const { loadNative } = await import(${JSON.stringify(loaderUrl)});
    const n = loadNative();
    if ('error' in n) { console.log(JSON.stringify({ error: n.error })); process.exit(0); }
    const out = { abc: n.sha256(Buffer.from('abc')).toString('hex'), lz4: n.features().lz4 };
    try { n.lz4CompressBatch(new ArrayBuffer(8), new Float64Array(0), new Int32Array(0)); }
    catch (e) { out.compressError = { code: e.code, message: e.message }; }
    console.log(JSON.stringify(out));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as ProbeOutput;
}

const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('native addon loader', () => {
  it('is built here when HIVESTREAM_REQUIRE_NATIVE=1 (CI), else may be missing', () => {
    const loaded = loadNative();
    if (process.env.HIVESTREAM_REQUIRE_NATIVE === '1') {
      expect(isNativeAvailable(loaded) ? 'available' : loaded.error).toBe('available');
    }
    expect(isNativeAvailable(loaded) || loaded.error.length > 0).toBe(true);
  });

  it('returns the same result on every call', () => {
    expect(loadNative()).toBe(loadNative());
  });

  it('reports why, without throwing, when refused by HIVESTREAM_NATIVE=0', () => {
    expect(probe({ HIVESTREAM_NATIVE: '0' })).toEqual({ error: 'disabled by HIVESTREAM_NATIVE=0' });
  });
});

describe.skipIf(addon === undefined)(`native addon without liblz4${skipNote}`, () => {
  it('HIVESTREAM_LIBLZ4=none: hashing works, LZ4 is unavailable with a reason', () => {
    const out = probe({ HIVESTREAM_LIBLZ4: 'none' });
    expect(out.abc).toBe(ABC);
    expect(out.lz4).toEqual({ available: false, library: 'none', error: 'disabled by HIVESTREAM_LIBLZ4=none' });
    expect(out.compressError?.code).toBe('E_BACKEND_UNAVAILABLE');
    expect(out.compressError?.message).toMatch(/liblz4 is unavailable \(disabled by HIVESTREAM_LIBLZ4=none\)/);
  });

  it('a nonexistent library path: LZ4 is unavailable with dlopen’s error', () => {
    const out = probe({ HIVESTREAM_LIBLZ4: '/nonexistent/liblz4.so.1' });
    expect(out.abc).toBe(ABC);
    expect(out.lz4?.available).toBe(false);
    expect(out.lz4?.error).toMatch(/\/nonexistent\/liblz4\.so\.1: cannot open shared object file/);
  });

  it('a library without the LZ4 symbols: LZ4 is unavailable, naming the symbol', () => {
    const out = probe({ HIVESTREAM_LIBLZ4: 'libm.so.6' });
    expect(out.lz4?.available).toBe(false);
    expect(out.lz4?.error).toMatch(/libm\.so\.6 has no LZ4_compress_default/);
  });

  it('the default loads liblz4.so.1', () => {
    const out = probe({ HIVESTREAM_LIBLZ4: '' });
    expect(out.lz4?.available).toBe(true);
    expect(out.lz4?.library).toBe('liblz4.so.1');
  });

  it('loads in a worker thread and hashes a SharedArrayBuffer the main thread sees', async () => {
    const sab = new SharedArrayBuffer(64);
    new Uint8Array(sab).set(Buffer.from('abc'));
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.url).then(({ loadNative }) => {
         loadNative().sha256Batch(workerData.sab, new Float64Array([0, 3, 32]));
         parentPort.postMessage('done');
       });`,
      { eval: true, workerData: { url: loaderUrl, sab } },
    );
    const message = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(message).toBe('done');
    expect(Buffer.from(sab, 32, 32).toString('hex')).toBe(createHash('sha256').update('abc').digest('hex'));
  });
});
