// Whole small files packed by a worker on its own: open, check it is the
// file the caller listed (device and inode), read it into
// its slot, hash and compress each chunk, frame the container, write it to a
// temporary name beside the output and rename it into place. For a tree of
// many small files this is one worker round trip per batch of files and a
// handful of system calls per file, with nothing on the main thread.
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readlinkSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, sep } from 'node:path';
import { syncDirSync } from '../../io/sync-dir.js';
import { CODEC_LZ4, CODEC_NONE } from '../../format/constants.js';
import { RecordFramer, type FramedChunk } from '../../format/frame.js';
import { createHeader } from '../../format/header.js';
import { preadFully } from '../../io/pread.js';
import { writevAllSync } from '../../io/write-all.js';
import { setHashJob, setLz4Job } from '../backends/job-table.js';
import { lz4Bound } from '../contract/slots.js';
import type { FileJob, FileOutcome, PackFilesPart, PartFailure, PartResult } from '../contract/tasks.js';
import type { Kernels, WorkerContext } from './context.js';

export function packFiles(ctx: WorkerContext, kernels: Kernels, part: PackFilesPart): PartResult {
  return { kind: 'files', files: part.files.map((job) => packFile(ctx, kernels, part, job)) };
}

function errnoOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
}

/** A failed system call as a failure naming the file it was about. */
class FileFailure extends Error {
  constructor(readonly failure: PartFailure) {
    super(failure.kind);
  }
}

function io(operation: string, path: string, err: unknown): FileFailure {
  return new FileFailure({ kind: 'io', operation, path, errno: errnoOf(err), message: err instanceof Error ? err.message : String(err) });
}

function call<T>(operation: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw io(operation, path, err);
  }
}

function changed(reason: string): FileFailure {
  return new FileFailure({ kind: 'input-changed', reason });
}

/** The open input is the file the caller listed, unchanged since. */
function checkSame(st: Stats, expect: FileJob['expect']): void {
  if (!st.isFile()) throw changed('it is no longer a regular file');
  if (expect === undefined) return;
  if (st.dev !== expect.dev || st.ino !== expect.ino) throw changed('it was replaced after the folder was listed');
  if (st.size !== expect.size) throw changed(`size went from ${expect.size} to ${st.size} bytes`);
  if (st.mtimeMs !== expect.mtimeMs) throw changed('its modification time changed');
}

function packFile(ctx: WorkerContext, kernels: Kernels, part: PackFilesPart, job: FileJob): FileOutcome {
  const { ring } = ctx;
  let fd = -1;
  let out = -1;
  let partial: string | undefined;
  try {
    // A link the walk accepted (to a file inside the input folder) is followed;
    // the device and inode check below says it is still that file.
    // Inside an input folder, never through a final link (a link the walk accepted is opened at its target), never blocking on a FIFO swapped in.
    const nofollow = job.expect === undefined || job.inputRoot !== undefined ? constants.O_NOFOLLOW : 0;
    try {
      fd = openSync(job.input, constants.O_RDONLY | constants.O_NONBLOCK | nofollow);
    } catch (err) {
      if (errnoOf(err) === 'ELOOP') throw changed('it was replaced after the folder was listed (by a symbolic link)');
      throw io('open', job.input, err);
    }
    const before = call('stat', job.input, () => fstatSync(fd));
    checkSame(before, job.expect);
    if (job.inputRoot !== undefined && !insideRoot(fd, job.inputRoot)) throw changed('it now resolves outside the input folder (a folder on its way was replaced)');
    const size = before.size;
    if (size > ring.get(job.slot, 'inputBytes')) throw changed(`it grew to ${size} bytes`);
    const got = call('read', job.input, () => preadFully(fd, ring.input(job.slot, size), 0));
    if (got < size) throw changed(`it ended at byte ${got}, ${size - got} bytes earlier than its size said`);
    // Refuse to replace the input with its own container, or what is not a file.
    const existing = lstatOrUndefined(job.output);
    if (existing !== undefined && !existing.isFile() && !existing.isSymbolicLink()) {
      throw new FileFailure({ kind: 'refused', field: 'output', reason: `${job.output} exists and is not a regular file` });
    }
    const target0 = existing?.isSymbolicLink() === true ? statOrUndefined(job.output) : existing;
    if (target0 !== undefined && target0.dev === before.dev && target0.ino === before.ino) {
      throw new FileFailure({ kind: 'refused', field: 'output', reason: `${job.output} is the input itself; converting would replace it` });
    }
    const chunks = digestAndCompress(ctx, kernels, part, job.slot, size);
    const { header, bytes: headerBytes } = createHeader({ chunkSize: part.chunkSize, source: job.sourceName });
    const framer = new RecordFramer(header);
    const iov = [headerBytes, ...framer.frame(chunks)];
    const target = job.partial;
    out = call('create', job.output, () => openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666));
    partial = target;
    if (part.outRoot !== undefined) checkInside(out, part.outRoot, job.output);
    call('write', job.output, () => writevAllSync(out, iov));
    if (part.durable) call('sync', job.output, () => fsyncSync(out));
    // Read in full: a file that changed meanwhile makes no container.
    const after = call('stat', job.input, () => fstatSync(fd));
    if (after.size !== size) throw changed(`size went from ${size} to ${after.size} bytes`);
    if (after.mtimeMs !== before.mtimeMs) throw changed('its modification time changed');
    call('close', job.output, () => closeSync(out));
    out = -1;
    call('rename', job.output, () => renameSync(target, job.output));
    partial = undefined;
    // The rename itself made durable: the folder's entry.
    if (part.durable) call('sync folder', job.output, () => syncDirSync(dirname(job.output)));
    return {
      ok: true,
      bytes: size,
      storedBytes: headerBytes.length + framer.storedBytes,
      chunks: chunks.length,
      compressedChunks: framer.compressedChunks,
      rootDigest: framer.root,
      inputSize: size,
      inputMtimeMs: before.mtimeMs,
    };
  } catch (err) {
    if (err instanceof FileFailure) return { ok: false, failure: err.failure };
    return { ok: false, failure: { kind: 'io', operation: 'pack', path: job.input, errno: errnoOf(err), message: err instanceof Error ? err.message : String(err) } };
  } finally {
    if (out >= 0) closeQuietly(out);
    if (fd >= 0) closeQuietly(fd);
    if (partial !== undefined) {
      try {
        unlinkSync(partial);
      } catch {
        // Already gone.
      }
    }
  }
}

/** Whether the open file lies inside `root` (Linux: its /proc/self/fd link; without /proc, the open's own checks have to do). */
function insideRoot(fd: number, root: string): boolean {
  let real: string;
  try {
    real = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return true;
  }
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The file just created is really inside `root` (Linux: its /proc/self/fd
 * link names where it is): a folder swapped for a symbolic link after the
 * output folders were checked leads nowhere else.
 */
function checkInside(fd: number, root: string, output: string): void {
  let real: string;
  try {
    real = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return; // No /proc: the folders were checked when they were prepared.
  }
  if (!real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new FileFailure({ kind: 'refused', field: 'output', reason: `${output} resolves outside the output folder (to ${real})` });
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to add to the failure already reported.
  }
}

/**
 * Hashes each chunk of the file in the slot's input area (digests at the end
 * of its output area) and, with LZ4, compresses each into the output area;
 * returns the chunks as the framer takes them.
 */
function digestAndCompress(ctx: WorkerContext, kernels: Kernels, part: PackFilesPart, slot: number, size: number): FramedChunk[] {
  const { ring, hashJobs, lz4Jobs, lz4Results } = ctx;
  const count = Math.max(1, Math.ceil(size / part.chunkSize));
  const inputAt = ring.inputAt(slot);
  const outputAt = ring.outputAt(slot);
  const outputBytes = ring.get(slot, 'outputBytes');
  const digestsAt = outputAt + outputBytes - 32 * count;
  let lz4At = outputAt;
  for (let i = 0; i < count; i++) {
    const length = Math.min(part.chunkSize, size - i * part.chunkSize);
    setHashJob(hashJobs, i, inputAt + i * part.chunkSize, length, digestsAt + 32 * i);
    if (part.lz4) {
      setLz4Job(lz4Jobs, i, inputAt + i * part.chunkSize, length, lz4At, lz4Bound(length));
      lz4At += lz4Bound(length);
    }
  }
  if (lz4At > digestsAt) throw new FileFailure({ kind: 'refused', field: 'chunkSize', reason: `a slot's output area cannot hold ${count} chunks` });
  kernels.hasher.hash(ring.bytes, hashJobs, count);
  if (part.lz4) kernels.lz4.compress(ring.bytes, lz4Jobs, count, lz4Results);
  const chunks: FramedChunk[] = [];
  let lz4Start = outputAt;
  for (let i = 0; i < count; i++) {
    const offset = i * part.chunkSize;
    const length = Math.min(part.chunkSize, size - offset);
    const n = part.lz4 ? (lz4Results[i] ?? 0) : 0;
    // A chunk LZ4 does not shrink is stored raw.
    const compressed = n > 0 && n < length;
    chunks.push({
      sequence: i,
      offset,
      length,
      codec: compressed ? CODEC_LZ4 : CODEC_NONE,
      digest: ring.bytes.subarray(digestsAt + 32 * i, digestsAt + 32 * (i + 1)),
      data: compressed ? ring.bytes.subarray(lz4Start, lz4Start + n) : ring.bytes.subarray(inputAt + offset, inputAt + offset + length),
      final: i === count - 1,
    });
    if (part.lz4) lz4Start += lz4Bound(length);
  }
  return chunks;
}
