#!/usr/bin/env node
// The bare baseline for the ingestion-service benchmark: the same HTTP API as
// examples/ingest-server.mjs (POST /objects/:name) done the plain way: read
// the body, SHA-256 it with node:crypto, write it to a temporary file and
// rename it into place. No chunking, no container, no LZ4, no verification.
// Usage: node bench/crypto-server.mjs [--port 0] [--host 127.0.0.1] [--data DIR]
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, data: { type: 'string', default: './data' } } });
const dir = resolve(values.data);
mkdirSync(dir, { recursive: true });

const server = createServer((req, res) => {
  const m = /^\/objects\/([A-Za-z0-9_-][A-Za-z0-9._-]{0,127})$/.exec(req.url ?? '');
  if (m === null || req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    const digest = createHash('sha256').update(body).digest('hex');
    const out = join(dir, m[1]);
    const tmp = `${out}.${randomBytes(6).toString('hex')}.tmp`;
    writeFile(tmp, body)
      .then(() => rename(tmp, out))
      .then(
        () => {
          const text = JSON.stringify({ name: m[1], bytes: body.length, sha256: digest }) + '\n';
          res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        },
        (err) => res.writeHead(500).end(String(err)),
      );
  });
});
server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
