// Verified chunks, one by one, in order, for record readers (readChunks):
// the container read loop (read-loop.ts) with each batch yielded chunk by
// chunk, after a `header` event, so a caller sees chunk boundaries.
import type { HiveError } from '../../errors.js';
import { headerText, type ContainerHeader } from '../../format/header.js';
import type { Input } from '../../io/source.js';
import { readContainerHeader } from './container-input.js';
import { closeRead, readContainer, readReport, type ContainerReadReport, type ReadConfig, type ReadFigures, type ReadItem } from './read-loop.js';

/** The container header, as a chunk reader hands it over first. */
export interface ContainerInfo {
  chunkSize: number;
  streamId: string;
  source: string | undefined;
  contentType: string | undefined;
  contentMeta: string | undefined;
  /** Every header key as text (values that are not UTF-8 as hex). */
  metadata: Record<string, string>;
}

export type ChunkEvent =
  | { kind: 'header'; header: ContainerInfo }
  /** `bytes` is a view into the ring: valid until the iterator is resumed. */
  | { kind: 'chunk'; sequence: number; offset: number; bytes: Uint8Array; final: boolean }
  /** The chunk at `sequence` (raw stream `offset`) failed its checks; `error` says how. */
  | { kind: 'corrupt'; sequence: number; offset: number; error: HiveError };

export interface ChunkReadReport extends ContainerReadReport {
  operation: 'read-chunks';
  corruptChunks: number;
  /** True when the root digest and the header digest were checked and matched. */
  verified: boolean;
  durationMs: number;
}

export type ChunkReaderConfig = ReadConfig;

function info(h: ContainerHeader): ContainerInfo {
  return { chunkSize: h.chunkSize, streamId: h.streamId, source: h.source, contentType: h.contentType, contentMeta: h.contentMeta, metadata: headerText(h.metadata) };
}

export async function* runChunkReader(input: Input, cfg: ChunkReaderConfig): AsyncGenerator<ChunkEvent, Omit<ChunkReadReport, 'durationMs'>> {
  const header = await readContainerHeader(input, cfg.limits);
  yield { kind: 'header', header: info(header) };
  const figures = yield* flatten(readContainer(input, header, cfg));
  return { operation: 'read-chunks', ...readReport(header, cfg, figures), corruptChunks: figures.corruptChunks, verified: figures.verified && figures.rootDigest !== '' };
}

/** Yields each item of each batch; leaving early closes the read (which stops its run). */
async function* flatten(reading: AsyncGenerator<ReadItem[], ReadFigures>): AsyncGenerator<ReadItem, ReadFigures> {
  let ended = false;
  try {
    for (;;) {
      const step = await reading.next();
      if (step.done === true) {
        ended = true;
        return step.value;
      }
      for (const item of step.value) yield item;
    }
  } finally {
    if (!ended) await closeRead(reading);
  }
}
