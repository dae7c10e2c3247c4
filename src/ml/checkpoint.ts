// Checkpoints: many named tensors in one container. The raw stream is a
// safetensors file, byte for byte (see safetensors.ts), so `hivestream
// unpack` restores a file any safetensors reader opens, and a safetensors
// file packs as it is. The header says so: hivestream.content_type =
// checkpoint/1, hivestream.content_meta = {"version":1,"layout":"safetensors",
// "tensors":N,"dataOffset":D,"byteLength":L}.
// Writing streams every tensor in turn (each may be larger than memory);
// openCheckpoint reads the tensor directory from the first chunks and then
// any one tensor from the chunks that hold it, verified, without the others.
import { pack, type SinkTarget } from '../api.js';
import { ContentTypeError, DtypeMismatchError, FormatError, ValidationError } from '../errors.js';
import type { PackReport } from '../api.js';
import type { PackOptions } from '../options.js';
import { resolveDtype, resolveTensorShape, typedView, type Dtype, type TensorData } from './dtypes.js';
import { ChunkFile, type ChunkFileOptions, type ChunkFileStats } from './chunk-file.js';
import { buildHeader, headerLength, parseLayout, SAFETENSORS_MAX_HEADER, type SafetensorsLayout, type TensorEntry } from './safetensors.js';
import { bodyBytes, checkBody, elementSlices, type TensorBody, type TensorSlice } from './tensor-bytes.js';
import { resolveStringMap, type Tensor } from './weights.js';

export const CHECKPOINT_CONTENT_TYPE = 'checkpoint/1';

/** One tensor to write: its values in memory or streamed (little-endian bytes). */
export interface CheckpointTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  data: TensorBody;
  metadata?: Record<string, string>;
}

/** What hivestream.content_meta says about a checkpoint. */
export interface CheckpointInfo {
  version: 1;
  layout: 'safetensors';
  tensors: number;
  /** Raw offset of the first tensor's bytes (8 + the safetensors JSON header). */
  dataOffset: number;
  /** Raw stream length. */
  byteLength: number;
}

export interface WriteCheckpointOptions extends Omit<PackOptions, 'contentType' | 'contentMeta'> {
  /** File-level metadata (safetensors __metadata__). */
  metadata?: Record<string, string>;
}

export interface OpenCheckpointOptions extends ChunkFileOptions {
  /** Largest safetensors JSON header accepted (default 100 MB, safetensors' own limit). */
  maxHeaderSize?: number;
}

/** A tensor as the directory lists it. */
export interface CheckpointEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  byteLength: number;
  metadata: Record<string, string>;
}

export function checkpointInfo(layout: SafetensorsLayout): CheckpointInfo {
  return { version: 1, layout: 'safetensors', tensors: layout.tensors.length, dataOffset: layout.dataOffset, byteLength: layout.byteLength };
}

function resolveTensors(tensors: Iterable<CheckpointTensor> | Record<string, Tensor | CheckpointTensor>): CheckpointTensor[] {
  if (typeof tensors !== 'object' || tensors === null) throw new ValidationError('tensors', 'expected an iterable of {name, dtype, shape, data} or an object of tensors');
  const list: unknown[] = Symbol.iterator in tensors ? [...tensors] : Object.entries(tensors).map(([name, t]) => ({ ...t, name }));
  return list.map((t, i) => {
    if (typeof t !== 'object' || t === null) throw new ValidationError(`tensors[${i}]`, 'expected {name, dtype, shape, data}');
    const o = t as Record<string, unknown>;
    const where = `tensor ${typeof o.name === 'string' ? JSON.stringify(o.name) : i}`;
    if (typeof o.name !== 'string') throw new ValidationError(`${where} name`, 'expected a string');
    const dtype = resolveDtype(o.dtype, `${where} dtype`);
    const shape = resolveTensorShape(o.shape, `${where} shape`);
    return { name: o.name, dtype, shape, data: checkBody(o.data, dtype, shape, `${where} data`), metadata: resolveStringMap(o.metadata, `${where} metadata`) };
  });
}

/**
 * Writes tensors into one container. The directory (names, dtypes, shapes)
 * is needed first; each tensor's data is then read in turn, so a generator
 * given as `data` starts only when its tensor is written.
 */
export async function writeCheckpoint(
  tensors: Iterable<CheckpointTensor> | Record<string, Tensor | CheckpointTensor>,
  sink: SinkTarget,
  options: WriteCheckpointOptions = {},
): Promise<PackReport & { checkpoint: CheckpointInfo }> {
  const list = resolveTensors(tensors);
  const { metadata: fileMeta, ...packOptions } = options;
  const { bytes, layout } = buildHeader(list, resolveStringMap(fileMeta, 'metadata'));
  const info = checkpointInfo(layout);
  async function* raw(): AsyncGenerator<Uint8Array> {
    yield bytes;
    for (const t of list) yield* bodyBytes(t.data, t.dtype, t.shape, `tensor ${JSON.stringify(t.name)} data`);
  }
  const report = await pack(raw(), sink, { ...packOptions, contentType: CHECKPOINT_CONTENT_TYPE, contentMeta: JSON.stringify(info) });
  return { ...report, checkpoint: info };
}

/** Parses hivestream.content_meta of a checkpoint. */
export function parseCheckpointInfo(text: string | undefined): CheckpointInfo {
  let o: Record<string, unknown> | undefined;
  try {
    const raw: unknown = JSON.parse(text ?? 'null');
    if (typeof raw === 'object' && raw !== null) o = raw as Record<string, unknown>;
  } catch (cause) {
    throw new FormatError('bad checkpoint description: not JSON', { field: 'hivestream.content_meta' }, { cause });
  }
  const ok = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (o?.version !== 1 || o.layout !== 'safetensors' || !ok(o.tensors) || !ok(o.dataOffset) || !ok(o.byteLength)) {
    throw new FormatError(`bad checkpoint description: ${JSON.stringify(text?.slice(0, 200))}`, { field: 'hivestream.content_meta' });
  }
  return { version: 1, layout: 'safetensors', tensors: o.tensors, dataOffset: o.dataOffset, byteLength: o.byteLength };
}

/** Reads and validates the safetensors directory at the start of a raw stream of `total` bytes. */
export function readLayout(read: (offset: number, length: number) => Uint8Array, total: number, limit = SAFETENSORS_MAX_HEADER): SafetensorsLayout {
  const n = headerLength(read(0, Math.min(8, total)), total, limit);
  return parseLayout(read(8, n), total);
}

/** A checkpoint opened for random access. */
export class Checkpoint {
  private readonly byName: Map<string, TensorEntry>;

  private constructor(
    private readonly file: ChunkFile,
    readonly layout: SafetensorsLayout,
  ) {
    this.byName = new Map(layout.tensors.map((t) => [t.name, t]));
  }

  static open(path: string, options: OpenCheckpointOptions = {}): Checkpoint {
    const file = ChunkFile.open(path, options);
    try {
      const type = file.header.contentType;
      if (type !== CHECKPOINT_CONTENT_TYPE) throw new ContentTypeError(CHECKPOINT_CONTENT_TYPE, type);
      const info = parseCheckpointInfo(file.header.contentMeta);
      const layout = readLayout((o, l) => file.range(o, l), file.rawLength, options.maxHeaderSize);
      const actual = checkpointInfo(layout);
      if (JSON.stringify(actual) !== JSON.stringify(info)) {
        throw new FormatError(`checkpoint description ${JSON.stringify(info)} does not match its tensor directory ${JSON.stringify(actual)}`, { field: 'hivestream.content_meta' });
      }
      return new Checkpoint(file, layout);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** The tensors, in the order of their data. */
  get tensors(): CheckpointEntry[] {
    return this.layout.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, byteLength: t.end - t.begin, metadata: t.metadata }));
  }

  get metadata(): Record<string, string> {
    return this.layout.metadata;
  }

  get stats(): ChunkFileStats {
    return this.file.stats;
  }

  private entry(name: string, dtype: Dtype | undefined): TensorEntry {
    const t = this.byName.get(name);
    if (t === undefined) throw new ValidationError('tensor name', `${JSON.stringify(name)} is not in the checkpoint`);
    if (dtype !== undefined && resolveDtype(dtype, 'dtype') !== t.dtype) throw new DtypeMismatchError(dtype, t.dtype, `tensor ${JSON.stringify(name)}`);
    return t;
  }

  /** One tensor, whole and verified; reads only the chunks that hold it. */
  read(name: string, options: { dtype?: Dtype } = {}): Tensor & { metadata: Record<string, string> } {
    const t = this.entry(name, options.dtype);
    const data: TensorData = typedView(t.dtype, this.file.range(this.layout.dataOffset + t.begin, t.end - t.begin));
    return { dtype: t.dtype, shape: t.shape, data, metadata: t.metadata };
  }

  /** One tensor slice by slice (whole elements, verified), for tensors larger than memory. */
  slices(name: string, options: { dtype?: Dtype } = {}): AsyncGenerator<TensorSlice> {
    const t = this.entry(name, options.dtype);
    return elementSlices(this.file.pieces(this.layout.dataOffset + t.begin, t.end - t.begin), t.dtype);
  }

  /** The raw safetensors bytes, chunk by chunk (views valid until the next step). */
  raw(): Generator<Uint8Array> {
    return this.file.pieces(0, this.layout.byteLength);
  }

  close(): void {
    this.file.close();
  }
}

/** Opens a checkpoint container file: the directory is read and checked; tensors are read on demand. */
export function openCheckpoint(path: string, options: OpenCheckpointOptions = {}): Promise<Checkpoint> {
  return Promise.resolve().then(() => Checkpoint.open(path, options));
}
