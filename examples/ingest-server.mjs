#!/usr/bin/env node
// An ingestion service on node:http, the way docs/ML.md describes it:
//
//   POST /objects/:name   the request body is packed on the fly (SHA-256 per
//                         chunk, LZ4) into <data>/<name>.hvs; 201 + JSON report.
//                         A client that goes away mid-upload leaves nothing:
//                         the container is written under a temporary name and
//                         renamed only when complete.
//   GET  /objects/:name   the original bytes, verified chunk by chunk while
//                         they stream out; if a check fails the connection is
//                         reset, so a response that ends cleanly is verified.
//   GET  /metrics         Prometheus text (hivestream/prometheus + prom-client).
//   GET  /healthz         "ok".
//
// Usage: node examples/ingest-server.mjs [--port 8080] [--host 127.0.0.1] [--data ./data]
// Prints "listening on http://HOST:PORT" once ready; SIGTERM/SIGINT stop it.
import { createServer } from 'node:http';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { closeIdlePools, HiveError, pack, unpack } from 'hivestream';
import { registerHivestreamMetrics } from 'hivestream/prometheus';

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Bad input from the client is a 4xx; anything else is the server's fault. */
function statusOf(err) {
  if (err instanceof HiveError && err.code === 'E_ABORTED') return 499;
  if (err instanceof HiveError && ['E_VALIDATION', 'E_FORMAT', 'E_TRUNCATED', 'E_FRAME_TOO_LARGE'].includes(err.code)) return 400;
  return 500;
}

export function createIngestServer({ dataDir, compression = 'lz4', chunkSize = '1MiB', workers } = {}) {
  const dir = resolve(dataDir ?? 'data');
  mkdirSync(dir, { recursive: true });
  const registry = new Registry();
  registerHivestreamMetrics({ registry });
  const pathOf = (name) => join(dir, `${name}.hvs`);

  async function put(req, res, name) {
    // The client going away before the body ended aborts the run; pack then
    // removes its temporary file. (Reading `req` would fail too: belt and braces.)
    const ctl = new AbortController();
    const onClose = () => {
      if (!req.complete) ctl.abort(new Error('client went away mid-upload'));
    };
    req.once('close', onClose);
    try {
      const report = await pack(req, pathOf(name), { compression, chunkSize, workers, signal: ctl.signal, sourceName: name });
      send(res, 201, { name, bytes: report.bytes, storedBytes: report.storedBytes, chunks: report.chunks, rootDigest: report.rootDigest });
    } catch (err) {
      if (!res.destroyed) send(res, statusOf(err), { error: err.message, code: err.code });
    } finally {
      req.off('close', onClose);
    }
  }

  async function get(req, res, name) {
    const path = pathOf(name);
    try {
      if (!statSync(path).isFile()) throw new Error('not a file');
    } catch {
      send(res, 404, { error: `no object ${name}` });
      return;
    }
    const ctl = new AbortController();
    res.once('close', () => ctl.abort(new Error('client went away mid-download')));
    // Headers go out with the first verified bytes, so a failure before them is still a clean 500.
    res.statusCode = 200;
    res.setHeader('content-type', 'application/octet-stream');
    try {
      await unpack(path, res, { workers, signal: ctl.signal });
    } catch (err) {
      if (!res.headersSent && !res.destroyed) send(res, statusOf(err) === 499 ? 499 : 500, { error: err.message, code: err.code });
      // Bytes already went out: reset the connection so the client cannot take a cut body for a whole one.
      else res.destroy();
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/objects\/([^/]+)$/.exec(url.pathname);
    const name = m === null ? undefined : decodeURIComponent(m[1]);
    if (m !== null && (name === undefined || !NAME.test(name))) {
      send(res, 400, { error: 'object names are 1-128 characters of A-Z a-z 0-9 . _ - and do not start with a dot' });
    } else if (m !== null && req.method === 'POST') {
      void put(req, res, name);
    } else if (m !== null && req.method === 'GET') {
      void get(req, res, name);
    } else if (url.pathname === '/metrics' && req.method === 'GET') {
      registry.metrics().then(
        (text) => send(res, 200, text, registry.contentType),
        (err) => send(res, 500, { error: err.message }),
      );
    } else if (url.pathname === '/healthz') {
      send(res, 200, 'ok\n', 'text/plain');
    } else {
      send(res, 404, { error: 'not found' });
    }
  });
  return { server, dataDir: dir };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string', default: './data' },
      workers: { type: 'string' },
    },
  });
  const { server } = createIngestServer({ dataDir: values.data, workers: values.workers === undefined ? undefined : Number(values.workers) });
  server.listen(Number(values.port), values.host, () => {
    const { address, port } = server.address();
    console.log(`listening on http://${address}:${port}`);
  });
  const stop = () => {
    server.close(() => void closeIdlePools().then(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
