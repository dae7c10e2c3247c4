// Packing many small files through the engine with one stream: each file
// takes a slot big enough for it, and a worker packs it whole (worker/
// pack-files.ts: read, hash, compress, frame, write, rename). Batches of
// files share worker tasks, and the main thread does no I/O for them. Used
// by convert for files up to `maxFileBytes`; larger ones go through pack().
import { AbortError } from '../../errors.js';
import { failureToError, fileSlotOutput, isPartFailure, type FileJob, type PackFilesPart } from '../contract/tasks.js';
import { trackPartial, untrackPartial } from '../../io/live-partials.js';
import { partialPath } from '../../io/write-all.js';
import type { BackendChoice } from '../backends/select.js';
import type { Engine } from './engine.js';
import { getEngine } from './process-engine.js';
import type { EngineStream } from './engine-stream.js';

export interface FilePackerOptions {
  chunkSize: number;
  lz4: boolean;
  durable: boolean;
  /** Largest file this packer takes (its slots' input size). */
  maxFileBytes: number;
  /** Files in flight at most (its slots). */
  slots: number;
  /** Outputs must lie in this folder (a real path), checked on each opened output. */
  outRoot?: string | undefined;
  backends: BackendChoice;
  /** The packer's share of the engine's threads. */
  workers?: number | undefined;
  signal: AbortSignal;
  engine?: Engine | undefined;
}

export interface PackedFile {
  bytes: number;
  storedBytes: number;
  chunks: number;
  rootDigest: string;
  inputSize: number;
  inputMtimeMs: number;
}

export class FilePacker {
  private constructor(
    private readonly stream: EngineStream,
    private readonly o: FilePackerOptions,
    private readonly unlink: () => void,
  ) {}

  static async open(o: FilePackerOptions): Promise<FilePacker> {
    const engine = o.engine ?? getEngine();
    const stream = await engine.openStream({
      plan: { slots: o.slots, minSlots: 1, batch: 1, inputBytes: Math.max(1, o.maxFileBytes), outputBytes: fileSlotOutput(o.maxFileBytes, o.chunkSize, o.lz4) },
      workers: Math.min(o.workers ?? engine.threads, engine.threads),
      backends: o.backends,
      resilience: undefined,
      signal: o.signal,
      describe: () => `packing files of up to ${o.maxFileBytes} bytes`,
      tiny: false,
    });
    // Stopping the job drops the files still queued (their pack() calls reject).
    const onAbort = (): void => stream.fail(new AbortError('operation aborted', { cause: o.signal.reason }));
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener('abort', onAbort, { once: true });
    return new FilePacker(stream, o, () => o.signal.removeEventListener('abort', onAbort));
  }

  /** Packs one file (of `size` bytes when it was listed) into `job.output`; throws the typed error when it could not. */
  async pack(job: Omit<FileJob, 'slot' | 'partial'>, size: number): Promise<PackedFile> {
    if (this.stream.failure !== undefined) throw this.stream.failure;
    const [slot] = await this.stream.slots.acquire(1, this.o.signal);
    if (slot === undefined) throw new Error('internal: no slot');
    // Named here, so that an exit that cannot wait (a second Ctrl-C) removes it too.
    const partial = partialPath(job.output);
    trackPartial(partial);
    try {
      const part: PackFilesPart = { op: 'pack-files', files: [{ ...job, slot, partial }], chunkSize: this.o.chunkSize, lz4: this.o.lz4, durable: this.o.durable, outRoot: this.o.outRoot };
      const result = await this.stream.submit(part, Math.max(size, 1));
      if (result === null || result.kind !== 'files') throw isPartFailure(result) ? failureToError(result, job.input) : new Error('internal: no file outcome');
      const outcome = result.files[0];
      if (outcome === undefined) throw new Error('internal: no file outcome');
      if (!outcome.ok) throw failureToError(outcome.failure, job.input);
      return outcome;
    } finally {
      untrackPartial(partial);
      this.stream.slots.release(slot);
    }
  }

  /** Gives the slots back (every pack() has settled). */
  close(): void {
    this.unlink();
    this.stream.close();
  }
}
