// Child process of `bench compare --scenario service`: starts an ingestion
// server (examples/ingest-server.mjs, or the bare node:crypto baseline in
// bench/crypto-server.mjs) and uploads `requests` bodies of `size` bytes
// from `clients` concurrent clients over loopback (keep-alive). Prints one
// JSON line: time per request, latency percentiles.
//   node dist/bench/scenarios/service-load.js --server FILE --clients 8 --requests 2000 --size 65536 --dir DIR
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { fillBlock } from '../../util/profiles.js';
import { percentile } from '../stats.js';

function startServer(file: string, dir: string): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, '--port', '0', '--data', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited with code ${String(code)} before listening`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
  });
}

function upload(agent: Agent, url: string, name: string, body: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/objects/${name}`, { method: 'POST', agent, headers: { 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`status ${String(res.statusCode)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { server: { type: 'string' }, clients: { type: 'string' }, requests: { type: 'string' }, size: { type: 'string' }, dir: { type: 'string' } } });
  const clients = Number(values.clients ?? '8');
  const requests = Number(values.requests ?? '2000');
  const size = Number(values.size ?? String(64 * 1024));
  const server = await startServer(values.server ?? '', values.dir ?? '.');
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const bodies = Array.from({ length: 16 }, (_, i) => {
    const b = new Uint8Array(size);
    fillBlock('text', b, 5, i);
    return b;
  });
  try {
    const run = async (n: number, latencies?: number[]): Promise<number> => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < n) {
            const i = next++;
            const t = performance.now();
            await upload(agent, server.url, `obj${i % (clients * 4)}`, bodies[i % bodies.length] ?? new Uint8Array(0));
            latencies?.push(performance.now() - t);
          }
        }),
      );
      return performance.now() - t0;
    };
    await run(Math.min(200, requests));
    const latencies: number[] = [];
    const elapsed = await run(requests, latencies);
    console.log(JSON.stringify({ clients, requests, size, msPerRequest: elapsed / requests, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }));
  } finally {
    agent.destroy();
    server.stop();
  }
}

await main();
