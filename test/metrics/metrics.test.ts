// metrics(): process-wide counters fed by every run, live gauges of the
// runs in flight, and the prom-client adapter.
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { engineGauges, metrics, pack, unpack, verify } from '../../dist/index.js';
import { registerHivestreamMetrics } from '../../dist/metrics/prometheus.js';
import { sample } from '../helpers/fixtures.js';

const data = sample('text', 2 * 1024 * 1024 + 5, 31);

describe('metrics()', () => {
  it('counts bytes in and out, chunks and runs of pack, unpack and verify', async () => {
    const before = metrics();
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        parts.push(c);
        cb();
      },
    });
    const p = await pack(data, sink, { chunkSize: '64KiB', compression: 'lz4', workers: 2 });
    const container = Buffer.concat(parts);
    const u = await unpack([container], new Writable({ write: (_c, _e, cb) => cb() }), { workers: 2 });
    await verify([container], { workers: 2 });
    await expect(verify([container.subarray(0, 1000)], { workers: 1 })).rejects.toThrow();
    const after = metrics();
    expect(after.bytesIn - before.bytesIn).toBe(data.length + 2 * container.length);
    expect(after.bytesOut - before.bytesOut).toBe(p.storedBytes + u.bytes);
    expect(after.rawBytes - before.rawBytes).toBe(3 * data.length);
    expect(after.chunks - before.chunks).toBe(3 * p.chunks);
    expect(after.runs.pack.completed - before.runs.pack.completed).toBe(1);
    expect(after.runs.unpack.completed - before.runs.unpack.completed).toBe(1);
    expect(after.runs.verify.completed - before.runs.verify.completed).toBe(1);
    expect(after.runs.verify.failed - before.runs.verify.failed).toBe(1);
    expect(after.runs.active).toBe(0);
    expect(after.mbPerSecond).toBeGreaterThan(0);
    expect(after.breakerState).toBe('closed');
    expect(after.slotsInUse).toBe(0);
  });

  it('a run stopped by its AbortSignal counts as aborted, not failed', async () => {
    const before = metrics();
    const ctl = new AbortController();
    // A source that stalls after its first chunk, so the run is surely in flight when aborted.
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield data.subarray(0, 64 * 1024);
      await new Promise((resolve) => setTimeout(resolve, 50));
      ctl.abort(new Error('client went away'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      yield data.subarray(64 * 1024);
    }
    await expect(pack(slow(), new Writable({ write: (_c, _e, cb) => cb() }), { workers: 1, signal: ctl.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
    const after = metrics();
    expect(after.runs.pack.aborted - before.runs.pack.aborted).toBe(1);
    expect(after.runs.pack.failed - before.runs.pack.failed).toBe(0);
    expect(after.runs.active).toBe(0);
  });

  it('shows slots in use and the active run while a slow sink holds the ring', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let seen: ReturnType<typeof metrics> | undefined;
    const slow = new Writable({
      highWaterMark: 1,
      write(_c, _e, cb) {
        // The first write waits until the test has looked at the gauges.
        seen ??= metrics();
        void gate.then(() => cb());
      },
    });
    const run = pack(data, slow, { chunkSize: '64KiB', workers: 2, ringSlots: 8 });
    while (seen === undefined) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));
    const during = metrics();
    expect(during.runs.active).toBeGreaterThanOrEqual(1);
    expect(during.slotsTotal).toBe(8);
    expect(during.slotsInUse).toBeGreaterThan(0);
    expect(engineGauges().activeRuns).toBe(1);
    release();
    await run;
    expect(metrics().slotsTotal).toBe(0);
  });
});

describe('prom-client adapter', () => {
  it('exposes the metrics in the Prometheus text format, and unregisters', async () => {
    const registry = new Registry();
    const reg = registerHivestreamMetrics({ registry });
    await pack(data, new Writable({ write: (_c, _e, cb) => cb() }), { workers: 1 });
    const text = await registry.metrics();
    for (const name of [
      'hivestream_bytes_in_total',
      'hivestream_bytes_out_total',
      'hivestream_chunks_total',
      'hivestream_throughput_mb_per_second',
      'hivestream_queue_depth',
      'hivestream_ring_slots_in_use',
      'hivestream_task_retries_total',
      'hivestream_runs_total{operation="pack",outcome="completed"}',
      'hivestream_breaker_state{state="closed"} 1',
      'hivestream_engine_runs_inflight 0',
      'hivestream_engine_runs_queued 0',
      'hivestream_engine_run_limit',
      'hivestream_engine_runs_rejected_total 0',
    ]) {
      expect(text).toContain(name);
    }
    const limit = /^hivestream_engine_run_limit (\d+)$/m.exec(text);
    expect(Number(limit?.[1])).toBeGreaterThanOrEqual(4);
    const bytesIn = /^hivestream_bytes_in_total (\d+)$/m.exec(text);
    expect(Number(bytesIn?.[1])).toBe(metrics().bytesIn);
    reg.unregister();
    expect(await registry.metrics()).not.toContain('hivestream_');
  });
});
