// Temporary names of outputs being written, and whether their writer is
// still alive. A file output is written as
//
//   .<name>.<host>-<pid>-<start>-<random>.partial
//
// in the output's folder: <host> is 8 hex of SHA-256 of the host name, <pid>
// the writer's process id, <start> its start time (clock ticks since boot,
// base 36, Linux; 0 elsewhere) and <random> 8 hex. The name fits NAME_MAX
// (255 bytes) whatever the output's name: a long name is cut (at a UTF-8
// character boundary) and ends in `~` and 8 hex of its SHA-256 instead. A
// partial whose writer ran on this host and is gone (no such process, or a
// process that started at another time: the pid was reused) is stale, and
// `hivestream clean` or the next convert of the same output removes it.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Longest file name most file systems take, in bytes. */
export const NAME_MAX = 255;
const SUFFIX = '.partial';
const PATTERN = /^\.(.+)\.([0-9a-f]{8})-(\d+)-([0-9a-z]+)-[0-9a-f]{8}\.partial$/s;

const sha8 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

let self: { host: string; start: string } | undefined;

/** Start time of a process (field 22 of /proc/PID/stat, base 36), or undefined when it cannot be read. */
function startOf(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks === undefined || !/^\d+$/.test(ticks) ? undefined : BigInt(ticks).toString(36);
  } catch {
    return undefined;
  }
}

function me(): { host: string; start: string } {
  self ??= { host: sha8(hostname()), start: startOf('self') ?? '0' };
  return self;
}

/** The part of a partial name that stands for the output's name (cut to fit NAME_MAX). */
export function partialStem(base: string): string {
  const room = NAME_MAX - 1 /* leading dot */ - 1 - 8 - 1 - 10 - 1 - 13 - 1 - 8 - SUFFIX.length;
  if (Buffer.byteLength(base) <= room) return base;
  const hash = `~${sha8(base)}`;
  let cut = Buffer.from(base).subarray(0, room - hash.length).toString('utf8');
  // A cut through a multi-byte character decodes to U+FFFD: drop it.
  while (cut.endsWith('\uFFFD') || Buffer.byteLength(cut) > room - hash.length) cut = cut.slice(0, -1);
  return cut + hash;
}

/** A fresh temporary name for an output named `base`, in the same folder. */
export function partialName(base: string): string {
  const { host, start } = me();
  return `.${partialStem(base)}.${host}-${process.pid}-${start}-${randomBytes(4).toString('hex')}${SUFFIX}`;
}

export interface PartialInfo {
  /** partialStem() of the output's name. */
  stem: string;
  host: string;
  pid: number;
  start: string;
}

/** What a partial name says about its output and writer, or undefined when it is not one. */
export function parsePartialName(name: string): PartialInfo | undefined {
  const m = PATTERN.exec(name);
  if (m === null) return undefined;
  return { stem: m[1] ?? '', host: m[2] ?? '', pid: Number(m[3]), start: m[4] ?? '0' };
}

export function isPartialName(name: string): boolean {
  return parsePartialName(name) !== undefined;
}

/**
 * 'gone' when the writer ran on this host and no longer runs; 'alive' when it
 * (or a process with its pid and start time) runs; 'unknown' for another
 * host's writer (never removed: a shared folder may be written from several).
 */
export function writerState(p: PartialInfo): 'alive' | 'gone' | 'unknown' {
  const { host } = me();
  if (p.host !== host) return 'unknown';
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
  }
  // A live pid (or one we may not signal): the same process only if it started at the same time.
  const start = startOf(p.pid);
  return start !== undefined && p.start !== '0' && start !== p.start ? 'gone' : 'alive';
}
