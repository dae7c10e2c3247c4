// The example ingestion service (examples/ingest-server.mjs), end to end
// over loopback: a real server process and real HTTP clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-ml-service-');
const dataDir = join(tmp.dir, 'data');
let server: ChildProcess;
let base = '';

beforeAll(async () => {
  server = spawn(process.execPath, [join(ROOT, 'examples/ingest-server.mjs'), '--port', '0', '--data', dataDir, '--workers', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
});

afterAll(async () => {
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
  tmp.cleanup();
});

const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Reply {
  status: number;
  body: Buffer;
  /** False when the response ended without its last byte (connection reset). */
  complete: boolean;
}

/** One request; the body is written in pieces of `piece` bytes with a pause between them. */
function call(method: string, path: string, body?: Uint8Array, piece = 256 * 1024): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), complete: res.complete }));
    });
    req.on('error', reject);
    void (async () => {
      for (let at = 0; body !== undefined && at < body.length; at += piece) {
        if (!req.write(body.subarray(at, at + piece))) await new Promise((r) => req.once('drain', r));
        await new Promise((r) => setImmediate(r));
      }
      req.end();
    })();
  });
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ingest service over loopback', () => {
  it('POST packs the body on the fly; GET returns the same bytes, verified', async () => {
    const body = sample('mixed', 3 * 1024 * 1024 + 13, 41);
    const put = await call('POST', '/objects/first.bin', body);
    expect(put.status).toBe(201);
    const report = JSON.parse(put.body.toString()) as { bytes: number; chunks: number; rootDigest: string };
    expect(report.bytes).toBe(body.length);
    expect(report.chunks).toBe(4);
    expect(readdirSync(dataDir)).toEqual(['first.bin.hvs']);
    const got = await call('GET', '/objects/first.bin');
    expect(got.status).toBe(200);
    expect(got.complete).toBe(true);
    expect(digest(got.body)).toBe(digest(body));
    expect((await call('GET', '/objects/missing')).status).toBe(404);
    expect((await call('POST', '/objects/..hidden', Buffer.alloc(1))).status).toBe(400);
  });

  it('two clients uploading and downloading at once', async () => {
    const a = sample('text', 2 * 1024 * 1024, 42);
    const b = sample('random', 2 * 1024 * 1024 + 999, 43);
    const [pa, pb] = await Promise.all([call('POST', '/objects/a', a, 64 * 1024), call('POST', '/objects/b', b, 48 * 1024)]);
    expect([pa.status, pb.status]).toEqual([201, 201]);
    const [ga, gb] = await Promise.all([call('GET', '/objects/a'), call('GET', '/objects/b')]);
    expect(digest(ga.body)).toBe(digest(a));
    expect(digest(gb.body)).toBe(digest(b));
  });

  it('a client that aborts mid-upload leaves nothing stored, not even a partial file', async () => {
    const seenPartial = await new Promise<boolean>((resolve, reject) => {
      const req = request(`${base}/objects/aborted`, { method: 'POST' });
      req.on('error', () => undefined);
      const chunk = sample('random', 256 * 1024, 44);
      let partial = false;
      const timer = setInterval(() => {
        if (!partial) {
          partial = readdirSync(dataDir).some((f) => f.startsWith('.aborted.hvs.') && f.endsWith('.partial'));
          req.write(chunk);
          return;
        }
        // The server is writing the container: go away mid-body.
        clearInterval(timer);
        req.destroy();
        resolve(true);
      }, 10);
      setTimeout(() => {
        clearInterval(timer);
        reject(new Error('the upload never started writing'));
      }, 10_000);
    });
    expect(seenPartial).toBe(true);
    await until(() => !readdirSync(dataDir).some((f) => f.includes('aborted')));
    expect((await call('GET', '/objects/aborted')).status).toBe(404);
    expect((await call('GET', '/healthz')).body.toString()).toBe('ok\n');
  });

  it('a stored object corrupted on disk: GET fails (500, or a reset once bytes went out), never a clean 200', async () => {
    const body = sample('random', 2 * 1024 * 1024, 45);
    expect((await call('POST', '/objects/fragile', body)).status).toBe(201);
    const path = join(dataDir, 'fragile.hvs');
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 100_000) ^ 1, bytes.length - 100_000);
    writeFileSync(path, bytes);
    const got: Reply | Error = await call('GET', '/objects/fragile').catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (got instanceof Error) {
      expect(got.message).toMatch(/socket hang up|ECONNRESET/);
    } else if (got.status === 500) {
      expect(JSON.parse(got.body.toString())).toMatchObject({ code: 'E_CHECKSUM', error: expect.stringContaining('checksum mismatch in chunk 1') as unknown });
    } else {
      expect(got.complete).toBe(false);
      expect(got.body.length).toBeLessThan(body.length);
    }
  });

  it('GET /metrics serves hivestream metrics in the Prometheus text format', async () => {
    const res = await call('GET', '/metrics');
    expect(res.status).toBe(200);
    const text = res.body.toString();
    for (const name of ['hivestream_bytes_in_total', 'hivestream_bytes_out_total', 'hivestream_chunks_total', 'hivestream_throughput_mb_per_second', 'hivestream_queue_depth', 'hivestream_ring_slots_in_use', 'hivestream_task_retries_total', 'hivestream_breaker_state']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    const completed = /^hivestream_runs_total\{operation="pack",outcome="completed"\} (\d+)$/m.exec(text);
    const failed = /^hivestream_runs_total\{operation="pack",outcome="failed"\} (\d+)$/m.exec(text);
    const aborted = /^hivestream_runs_total\{operation="pack",outcome="aborted"\} (\d+)$/m.exec(text);
    expect(Number(completed?.[1])).toBe(4);
    // The upload its client abandoned is aborted, not failed: nothing to page anyone about.
    expect(Number(failed?.[1])).toBe(0);
    expect(Number(aborted?.[1])).toBe(1);
    expect(Number(/^hivestream_bytes_in_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(8 * 1024 * 1024);
  });
});
