// Where a file output really goes, decided before anything is written:
// - nothing there, or a regular file: a temporary file in the same folder,
//   renamed over it when complete (atomic);
// - a character device, FIFO or socket (/dev/null, a named pipe), or a
//   descriptor the process inherited (/dev/stdout, /dev/fd/N,
//   /proc/self/fd/N): written directly, no temporary file, nothing replaced;
// - a symbolic link to a regular file: written atomically at the link's
//   target (the link stays a link); with `within`, links are never followed
//   (the link itself is replaced, inside the confining folder);
// - the input itself (same device and inode), a folder, a dangling link:
//   refused before anything is written.
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { IoError, ValidationError } from '../errors.js';

export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface OutputRules {
  /** Never write outside this folder (its real path): links at the output are replaced, not followed. */
  within?: string | undefined;
  /** The input's identity: an output that is the input is refused. */
  avoid?: FileIdentity | undefined;
}

export interface OutputPlan {
  /** Write `path` in place (device, FIFO, inherited descriptor); otherwise write a temporary file and rename it over `path`. */
  direct: boolean;
  /** The descriptor the path names, when it names one this process holds (/dev/stdout: 1). */
  fd?: number;
  /** Open flags when direct: append to a regular file reached through an inherited descriptor, else write. */
  flags: 'a' | 'w';
  path: string;
}

/** /dev/stdout, /dev/stderr, /dev/fd/N and /proc/<self|pid>/fd/N name a descriptor the process holds. */
const INHERITED = /^(\/dev\/(stdout|stderr|stdin|fd\/\d+)|\/proc\/(self|thread-self|\d+)\/fd\/\d+)$/;

function isDirectoryError(path: string): IoError {
  return new IoError('write', path, { cause: Object.assign(new Error('is a directory'), { code: 'EISDIR' }) });
}

function checkNotInput(path: string, st: Stats, avoid: FileIdentity | undefined): void {
  if (avoid !== undefined && st.dev === avoid.dev && st.ino === avoid.ino) {
    throw new ValidationError('output', `${path} is the input itself: writing it would destroy the input`);
  }
}

/** The descriptor number a path of INHERITED names, if it is this process's. */
function descriptorOf(path: string): number | undefined {
  const m = INHERITED.exec(path);
  if (m === null) return undefined;
  if (m[2] === 'stdin') return 0;
  if (m[2] === 'stdout') return 1;
  if (m[2] === 'stderr') return 2;
  const pid = m[3];
  if (pid !== undefined && pid !== 'self' && pid !== 'thread-self' && Number(pid) !== process.pid) return undefined;
  return Number(/(\d+)$/.exec(path)?.[1]);
}

/** The descriptor the link at `path` leads to, if it passes through one this process holds (at most 40 hops, as the kernel). */
async function inheritedDescriptor(path: string): Promise<number | undefined> {
  let at = path;
  for (let hop = 0; hop < 40; hop++) {
    const fd = descriptorOf(at);
    if (fd !== undefined) return fd;
    let target: string;
    try {
      target = await readlink(at);
    } catch {
      return undefined;
    }
    at = resolve(dirname(at), target);
  }
  return undefined;
}

export async function planOutput(path: string, rules: OutputRules = {}): Promise<OutputPlan> {
  if (path.length === 0) throw new ValidationError('output', 'empty path');
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) return { direct: false, flags: 'w', path };
  if (st.isDirectory()) throw isDirectoryError(path);
  if (st.isFile()) {
    checkNotInput(path, st, rules.avoid);
    return { direct: false, flags: 'w', path };
  }
  if (!st.isSymbolicLink()) return { direct: true, flags: 'w', path };
  // A link: replaced in place when confined; otherwise followed.
  if (rules.within !== undefined) return { direct: false, flags: 'w', path };
  let target: Stats;
  try {
    target = await stat(path);
  } catch (cause) {
    throw new ValidationError('output', `${path} is a symbolic link to nothing (${(cause as NodeJS.ErrnoException).code ?? 'unresolvable'}); remove it or name another output`);
  }
  if (target.isDirectory()) throw isDirectoryError(path);
  checkNotInput(path, target, rules.avoid);
  const fd = await inheritedDescriptor(path);
  if (fd !== undefined) return { direct: true, flags: 'a', path, fd };
  if (!target.isFile()) return { direct: true, flags: 'w', path };
  return { direct: false, flags: 'w', path: await realpath(path) };
}
