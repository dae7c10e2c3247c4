// Human-readable reports for the CLI.
import { formatSize } from '../options.js';
import type { PackReport, UnpackReport, InspectReport } from '../api.js';
import type { ProcessToReport } from '../process/api.js';
import type { ResilienceStats } from '../engine/main/task-guard.js';

function rate(bytes: number, ms: number): string {
  return ms > 0 ? `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s` : 'n/a';
}

function rows(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join('\n') + '\n';
}

function signed(fingerprint: string | undefined, label: string): Array<[string, string]> {
  return fingerprint === undefined ? [] : [[label, fingerprint]];
}

/** Which back ends ran, and for the native one where the addon came from and which SHA-256 code it runs. */
function backendsRow(r: PackReport | UnpackReport, lz4Used: boolean): string {
  const addon = r.nativeAddon === null ? '' : ` (${r.nativeAddon.sha256Impl}, ${r.nativeAddon.origin === 'prebuild' ? 'prebuilt addon' : 'addon built from source'})`;
  const slower = r.fallbacks.length > 0 ? `; slower than this machine allows: ${r.fallbacks.map((f) => f.reason).filter((v, i, a) => a.indexOf(v) === i).join('; ')}` : '';
  return `SHA-256 ${r.hashBackend}${r.hashBackend === 'native' ? addon : ''}${lz4Used ? `, LZ4 ${r.lz4Backend}` : ''}${slower}`;
}

function recovery(s: ResilienceStats): Array<[string, string]> {
  if (s.retries === 0 && s.breakerOpened === 0 && s.faultsInjected === 0) return [];
  return [['recovery', `${s.retries} retries (${s.crashes} worker crashes, ${s.timeouts} timeouts, ${s.transientErrors} transient errors), breaker opened ${s.breakerOpened}x${s.faultsInjected > 0 ? `, ${s.faultsInjected} faults injected` : ''}`]];
}

export function packText(r: PackReport, from: string, to: string): string {
  return (
    `packed ${from} -> ${to}\n` +
    rows([
      ['chunks', `${r.chunks} x ${formatSize(r.chunkSize)}${r.compression === 'lz4' ? `, ${r.compressedChunks} LZ4-compressed` : ''}`],
      ['raw', `${formatSize(r.bytes)} (${r.bytes} bytes)`],
      ['container', `${formatSize(r.storedBytes)} (ratio ${r.bytes > 0 ? (r.storedBytes / r.bytes).toFixed(3) : 'n/a'})`],
      ['root', r.rootDigest],
      ['time', `${(r.durationMs / 1000).toFixed(2)} s, ${rate(r.bytes, r.durationMs)} with ${r.workers} workers`],
      ['back ends', backendsRow(r, r.compression === 'lz4')],
      ...signed(r.signer, 'signed by'),
      ...recovery(r.resilience),
    ])
  );
}

export function unpackText(r: UnpackReport, from: string, to: string | undefined): string {
  const title = r.operation === 'verify' ? `verified ${from}: OK` : `unpacked ${from} -> ${to ?? ''}`;
  return (
    `${title}\n` +
    rows([
      ['chunks', `${r.chunks} x ${formatSize(r.chunkSize)}, ${r.compressedChunks} LZ4-compressed, all digests match`],
      ['raw', `${formatSize(r.bytes)} (${r.bytes} bytes)`],
      ['container', formatSize(r.storedBytes)],
      ['root', r.rootDigest],
      ['time', `${(r.durationMs / 1000).toFixed(2)} s, ${rate(r.bytes, r.durationMs)} with ${r.workers} workers`],
      ['back ends', backendsRow(r, r.compressedChunks > 0)],
      ...signed(r.signer, 'signed by'),
      ...recovery(r.resilience),
    ])
  );
}

export function inspectText(r: InspectReport, from: string): string {
  const meta = Object.entries(r.metadata)
    .filter(([k]) => k !== 'avro.schema')
    .map(([k, v]): [string, string] => [k, v]);
  return (
    `${from}: hivestream container${r.complete ? '' : ' (INCOMPLETE: the final chunk is missing)'}\n` +
    rows([
      ['stream id', r.streamId],
      ['source', r.source ?? '(none)'],
      ['chunk size', formatSize(r.chunkSize)],
      ['chunks', `${r.chunks}, ${r.compressedChunks} LZ4-compressed`],
      ['raw', `${formatSize(r.bytes)} (${r.bytes} bytes)`],
      ['container', `${formatSize(r.storedBytes)} (ratio ${r.bytes > 0 ? r.ratio.toFixed(3) : 'n/a'}, header ${r.headerBytes} bytes)`],
      ['root', r.rootDigest ?? '(none)'],
      ['signer', r.signer === null ? '(not signed)' : `${r.signer} (signature matches its digests; check who it is with verify --key)`],
    ]) +
    '  header metadata:\n' +
    meta.map(([k, v]) => `    ${k} = ${v}`).join('\n') +
    '\n  (digests not checked; use verify)\n'
  );
}

export function processText(r: ProcessToReport, from: string, to: string | undefined): string {
  const fn = `${decodeURIComponent(new URL(r.module).pathname)}${r.export === 'default' ? '' : ` (export ${r.export})`}`;
  const cut = r.chunkSize === null ? 'as stored' : `of up to ${formatSize(r.chunkSize)}`;
  const boundary = r.boundary === null ? '' : `, cut after 0x${r.boundary.toString(16).padStart(2, '0')}`;
  return (
    `processed ${from}${to === undefined ? '' : ` -> ${to}`}\n` +
    rows([
      ['function', fn],
      ['input', `${r.input === 'container' ? `container, ${r.verified === true ? 'every chunk verified' : 'NOT verified'}` : 'raw bytes'}, ${formatSize(r.bytes)} (${r.bytes} bytes)`],
      ['chunks', `${r.chunks} ${cut}${boundary}, ${r.results} with a result${r.resultBytes > 0 ? ` (${formatSize(r.resultBytes)})` : ''}`],
      ...(r.output === null ? [] : ([['output', `container of ${r.output.chunks} chunks, ${formatSize(r.output.storedBytes)}, root ${r.output.rootDigest}`]] as Array<[string, string]>)),
      ['time', `${(r.durationMs / 1000).toFixed(2)} s, ${rate(r.bytes, r.durationMs)} with ${r.workers} workers`],
      ...recovery(r.resilience),
    ])
  );
}
