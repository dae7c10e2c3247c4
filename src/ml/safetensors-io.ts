// safetensors files in and out of checkpoint containers, bit-exact both
// ways: the file's bytes are the container's raw stream. Packing checks the
// file's header first (size, limits, every tensor's offsets and byte count)
// so that what goes in is a valid safetensors file; unpacking checks the
// container's content type and directory before writing anything.
import { closeSync, fstatSync } from 'node:fs';
import { pack, unpack, type SinkTarget } from '../api.js';
import { openFile, pread } from './chunk-file.js';
import type { PackReport } from '../api.js';
import type { UnpackReport } from '../api.js';
import type { PackOptions, UnpackOptions } from '../options.js';
import { CHECKPOINT_CONTENT_TYPE, checkpointInfo, Checkpoint, readLayout, type CheckpointInfo } from './checkpoint.js';
import { SAFETENSORS_MAX_HEADER } from './safetensors.js';

export interface PackSafetensorsOptions extends Omit<PackOptions, 'contentType' | 'contentMeta'> {
  /** Largest JSON header accepted (default 100 MB, safetensors' own limit). */
  maxHeaderSize?: number;
}

/** Validates the safetensors file at `path` and describes it. */
export function inspectSafetensors(path: string, maxHeaderSize = SAFETENSORS_MAX_HEADER): CheckpointInfo {
  const fd = openFile(path);
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number): Uint8Array => {
      const buf = new Uint8Array(length);
      return buf.subarray(0, pread(fd, buf, offset, path));
    };
    return checkpointInfo(readLayout(read, size, maxHeaderSize));
  } finally {
    closeSync(fd);
  }
}

/** Packs a safetensors file into a checkpoint container; the raw stream is the file, byte for byte. */
export async function packSafetensors(path: string, sink: SinkTarget, options: PackSafetensorsOptions = {}): Promise<PackReport & { checkpoint: CheckpointInfo }> {
  const { maxHeaderSize, ...packOptions } = options;
  const info = inspectSafetensors(path, maxHeaderSize);
  const report = await pack(path, sink, { ...packOptions, contentType: CHECKPOINT_CONTENT_TYPE, contentMeta: JSON.stringify(info) });
  return { ...report, checkpoint: info };
}

/** Restores the safetensors file of a checkpoint container, every chunk verified; the directory is checked first. */
export async function unpackSafetensors(path: string, sink: SinkTarget, options: UnpackOptions & { maxHeaderSize?: number } = {}): Promise<UnpackReport & { checkpoint: CheckpointInfo }> {
  const { maxHeaderSize, ...unpackOptions } = options;
  const checkpoint = Checkpoint.open(path, { maxHeaderSize, maxChunkSize: options.maxChunkSize, maxHeaderBytes: options.maxHeaderBytes });
  const info = checkpointInfo(checkpoint.layout);
  checkpoint.close();
  const report = await unpack(path, sink, unpackOptions);
  return { ...report, checkpoint: info };
}
