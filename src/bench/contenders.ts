// The contenders of `bench compare`: hivestream's commands, the peers that
// do the same work (openssl, sha256sum, lz4) and two baselines, each as the
// processes to start; and the ratios (with the issue's targets) between them.
import type { Tool } from './peers.js';
import type { ProcSpec } from './spawn.js';

export type Group = 'sha256' | 'lz4' | 'lz4-decompress';
export type Kind = 'hivestream' | 'peer' | 'baseline';

export interface ContenderSpec {
  id: string;
  label: string;
  group: Group;
  kind: Kind;
  /** The command line, for the report. */
  command: string;
  procs: ProcSpec[];
  /** Why it cannot run here (a peer missing from PATH). */
  skip?: string;
}

export interface CompareInputs {
  /** The generated raw file. */
  file: string;
  /** The file packed without LZ4, for verify. */
  container: string;
  /** The file packed with LZ4, for unpack. */
  lz4Container: string;
  /** The file compressed by `lz4 -1` (undefined without lz4). */
  lz4File: string | undefined;
  chunkSize: number | undefined;
  workers: number | undefined;
}

export interface RatioSpec {
  label: string;
  ours: string;
  peer: string;
  /** The issue's target (ours at least this many times as fast), if it sets one. */
  target?: number;
  /** The data profile the target is stated for (any profile when absent). */
  targetProfile?: string;
}

export const RATIOS: RatioSpec[] = [
  { label: 'pack vs openssl dgst -sha256', ours: 'hs-pack', peer: 'openssl', target: 1.5 },
  { label: 'verify vs openssl dgst -sha256', ours: 'hs-verify', peer: 'openssl', target: 1.5 },
  { label: 'pack vs sha256sum', ours: 'hs-pack', peer: 'sha256sum' },
  { label: 'verify vs sha256sum', ours: 'hs-verify', peer: 'sha256sum' },
  { label: 'pack --lz4 vs lz4 -1', ours: 'hs-pack-lz4', peer: 'lz4', target: 1.5, targetProfile: 'text' },
  { label: 'pack --lz4 vs lz4 -1 + sha256sum', ours: 'hs-pack-lz4', peer: 'lz4+sha256sum' },
  { label: 'unpack vs lz4 -d', ours: 'hs-unpack', peer: 'lz4-d', target: 1.2 },
  { label: 'pack vs naive single thread', ours: 'hs-pack', peer: 'naive' },
  { label: 'pack vs piscina copying chunks', ours: 'hs-pack', peer: 'copy' },
  { label: 'pack --lz4 vs naive single thread', ours: 'hs-pack-lz4', peer: 'naive-lz4' },
  { label: 'pack --lz4 vs piscina copying chunks', ours: 'hs-pack-lz4', peer: 'copy-lz4' },
];

export interface ContenderEnv {
  node: string;
  /** dist/bin/hivestream.cjs (the command as it ships) */
  cli: string;
  /** dist/bench/baselines/ */
  baselines: string;
  tools: Map<string, Tool>;
}

function quote(a: string): string {
  return /^[\w./=:+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function render(procs: ProcSpec[], names: string[]): string {
  return procs
    .map((p, i) => [names[i] ?? p.file, ...p.args].map(quote).join(' ') + (p.stdout === 'ignore' ? ' > /dev/null' : ''))
    .join(' & ');
}

export function contenderSpecs(input: CompareInputs, env: ContenderEnv): ContenderSpec[] {
  const tuning = [
    ...(input.chunkSize === undefined ? [] : ['--chunk-size', String(input.chunkSize)]),
    ...(input.workers === undefined ? [] : ['--workers', String(input.workers)]),
  ];
  const workers = input.workers === undefined ? [] : ['--workers', String(input.workers)];
  const out: ContenderSpec[] = [];
  const node = (id: string, label: string, group: Group, kind: Kind, script: string, args: string[]): void => {
    const procs: ProcSpec[] = [{ file: env.node, args: [script, ...args], stdout: 'capture' }];
    out.push({ id, label, group, kind, command: render(procs, ['node']), procs });
  };
  const peer = (id: string, label: string, group: Group, cmds: Array<{ tool: string; args: string[] }>): void => {
    const missing = cmds.map((c) => c.tool).filter((t) => env.tools.get(t)?.path === undefined);
    const procs = cmds.map((c): ProcSpec => ({ file: env.tools.get(c.tool)?.path ?? c.tool, args: c.args, stdout: 'ignore' }));
    const command = render(procs, cmds.map((c) => c.tool));
    const skip = missing.length > 0 ? `${[...new Set(missing)].join(', ')} not found on PATH` : undefined;
    out.push({ id, label, group, kind: 'peer', command, procs: skip === undefined ? procs : [], ...(skip === undefined ? {} : { skip }) });
  };
  const { file } = input;
  const naive = `${env.baselines}naive.js`;
  const copy = `${env.baselines}piscina-copy.js`;
  const chunk = input.chunkSize === undefined ? [] : ['--chunk-size', String(input.chunkSize)];

  node('hs-pack', 'hivestream pack', 'sha256', 'hivestream', env.cli, ['pack', file, '-o', '/dev/null', '--json', ...tuning]);
  node('hs-verify', 'hivestream verify', 'sha256', 'hivestream', env.cli, ['verify', input.container, '--json', ...workers]);
  peer('openssl', 'openssl dgst -sha256', 'sha256', [{ tool: 'openssl', args: ['dgst', '-sha256', file] }]);
  peer('sha256sum', 'sha256sum', 'sha256', [{ tool: 'sha256sum', args: [file] }]);
  node('naive', 'naive single thread (hash)', 'sha256', 'baseline', naive, [file, ...chunk]);
  node('copy', 'piscina, copied chunks (hash)', 'sha256', 'baseline', copy, [file, ...tuning]);

  node('hs-pack-lz4', 'hivestream pack --lz4', 'lz4', 'hivestream', env.cli, ['pack', file, '-o', '/dev/null', '--lz4', '--json', ...tuning]);
  peer('lz4', 'lz4 -1', 'lz4', [{ tool: 'lz4', args: ['-1', '-q', '-c', file] }]);
  peer('lz4+sha256sum', 'lz4 -1 + sha256sum, side by side', 'lz4', [
    { tool: 'lz4', args: ['-1', '-q', '-c', file] },
    { tool: 'sha256sum', args: [file] },
  ]);
  node('naive-lz4', 'naive single thread (hash + lz4-napi)', 'lz4', 'baseline', naive, [file, '--lz4', ...chunk]);
  node('copy-lz4', 'piscina, copied chunks (hash + LZ4)', 'lz4', 'baseline', copy, [file, '--lz4', ...tuning]);

  node('hs-unpack', 'hivestream unpack (LZ4 container)', 'lz4-decompress', 'hivestream', env.cli, ['unpack', input.lz4Container, '-o', '/dev/null', '--json', ...workers]);
  if (input.lz4File === undefined) {
    out.push({ id: 'lz4-d', label: 'lz4 -d', group: 'lz4-decompress', kind: 'peer', command: 'lz4 -d -q -c FILE.lz4 > /dev/null', procs: [], skip: 'lz4 not found on PATH' });
  } else {
    peer('lz4-d', 'lz4 -d', 'lz4-decompress', [{ tool: 'lz4', args: ['-d', '-q', '-c', input.lz4File] }]);
  }
  return out;
}
