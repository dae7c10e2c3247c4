// Shared test helpers: temporary folders, seeded data, running the CLI.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, type Profile } from '../../dist/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The command as it ships (the bundled bin of package.json).
export const CLI = join(ROOT, 'dist/bin/hivestream.cjs');

export function tempDir(prefix = 'hvs-test-'): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Seeded sample bytes of one profile, whole in memory (for small sizes). */
export function sample(profile: Profile, size: number, seed = 1): Buffer {
  const parts: Uint8Array[] = [];
  for (const b of generate({ profile, size, seed })) parts.push(b);
  return Buffer.concat(parts);
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI; `input` is piped to its stdin. */
export function runCli(args: string[], input?: Uint8Array, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined);
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Chops bytes into irregular pieces, as a network stream would deliver them. */
export async function* pieces(data: Uint8Array, seed = 3): AsyncGenerator<Uint8Array> {
  let s = seed;
  for (let pos = 0; pos < data.length; ) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const n = 1 + (s % 100_000);
    yield data.subarray(pos, Math.min(data.length, pos + n));
    pos += n;
    await Promise.resolve();
  }
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
