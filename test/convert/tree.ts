// Seeded file trees for the convert tests, and ways to compare them.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sample } from '../helpers/fixtures.js';

/** A tiny LCG: sizes and names, deterministic per seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

export interface TreeSpec {
  small: number;
  /** Largest small file, bytes. */
  smallMax: number;
  large: number[];
  seed: number;
}

/** Writes `small` files of 0..smallMax bytes in nested folders, plus the large ones; returns relative paths. */
export function makeTree(root: string, spec: TreeSpec): string[] {
  const next = rng(spec.seed);
  const pool = sample('mixed', spec.smallMax * 4, spec.seed);
  const rels: string[] = [];
  for (let i = 0; i < spec.small; i++) {
    const depth = next() % 3;
    const dirs = Array.from({ length: depth }, (_, d) => `d${d}-${next() % 4}`);
    const rel = [...dirs, `file-${i}${['.txt', '.bin', '.json', ''][next() % 4] ?? ''}`].join('/');
    const size = i === 0 ? 0 : next() % (spec.smallMax + 1);
    const at = next() % (pool.length - size);
    write(root, rel, pool.subarray(at, at + size));
    rels.push(rel);
  }
  spec.large.forEach((size, i) => {
    const rel = `large/big-${i}.bin`;
    write(root, rel, sample(i % 2 === 0 ? 'mixed' : 'random', size, spec.seed + i));
    rels.push(rel);
  });
  return rels.sort();
}

function write(root: string, rel: string, data: Uint8Array): void {
  const path = join(root, ...rel.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/** Relative path -> SHA-256 of every regular file under root (job files excluded). */
export function treeDigests(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.name.startsWith('.hivestream-manifest')) continue;
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) walk(join(dir, d.name), r);
      else if (d.isSymbolicLink()) out.set(r, 'symbolic link');
      else out.set(r, createHash('sha256').update(readFileSync(join(dir, d.name))).digest('hex'));
    }
  };
  if (existsSync(root)) walk(root, '');
  return out;
}

/** Size and mtime of every file: proves inputs were not touched. */
export function treeStats(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of treeDigests(root).keys()) {
    const st = lstatSync(join(root, ...rel.split('/')));
    out.set(rel, `${st.size}/${st.mtimeMs}`);
  }
  return out;
}

/** Names anywhere under root that look like the sink's temporary files. */
export function partials(root: string): string[] {
  return [...treeDigests(root).keys()].filter((r) => /(^|\/)\.[^/]+\.[0-9a-f]{8}-\d+-[0-9a-z]+-[0-9a-f]{8}\.partial$/.test(r));
}

/** The root digest hivestream computes: SHA-256 over the chunk digests in order. */
export function rootDigest(data: Uint8Array, chunkSize: number): string {
  const h = createHash('sha256');
  if (data.length === 0) h.update(createHash('sha256').update(data).digest());
  for (let at = 0; at < data.length; at += chunkSize) h.update(createHash('sha256').update(data.subarray(at, at + chunkSize)).digest());
  return h.digest('hex');
}

export interface ManifestFileLine {
  kind: string;
  input: string;
  output: string;
  op: string;
  status: 'done' | 'failed' | 'skipped';
  bytes?: number;
  storedBytes?: number;
  rootDigest?: string;
  error?: { code: string; message: string };
  reason?: string;
  [key: string]: unknown;
}

/** Every line of a manifest (file lines typed loosely: tests check the fields they need). */
export function manifestLines(path: string): ManifestFileLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // A line still being appended (read mid-write) is torn: only complete lines count, as for the reader.
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ManifestFileLine);
}

export function fileLines(path: string, status?: ManifestFileLine['status']): ManifestFileLine[] {
  return manifestLines(path).filter((l) => l.kind === 'file' && (status === undefined || l.status === status));
}

export function doneLines(path: string): ManifestFileLine[] {
  return fileLines(path, 'done');
}
