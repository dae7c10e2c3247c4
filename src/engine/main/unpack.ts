// unpack and verify: container in, raw bytes out (or nothing, for verify).
// The container read loop (read-loop.ts) does the work; unpack writes each
// batch of verified chunks to the sink straight from the ring.
import type { KeyObject } from 'node:crypto';
import type { HeaderLimits } from '../../format/header.js';
import type { Input } from '../../io/source.js';
import type { Sink } from '../../io/sink.js';
import type { RunConfig } from './run.js';
import { readContainerHeader } from './container-input.js';
import { eachBatch, readContainer, readReport, type ContainerReadReport } from './read-loop.js';

export interface UnpackReport extends ContainerReadReport {
  operation: 'unpack' | 'verify';
  durationMs: number;
}

export interface UnpackConfig extends Omit<RunConfig, 'inputPath'> {
  limits: HeaderLimits;
  ringSlots: number | undefined;
  publicKey?: KeyObject | undefined;
}

export async function runUnpack(input: Input, sink: Sink | undefined, cfg: UnpackConfig): Promise<Omit<UnpackReport, 'durationMs'>> {
  const header = await readContainerHeader(input, cfg.limits);
  const figures = await eachBatch(readContainer(input, header, { ...cfg, corrupt: 'throw' }), async (items) => {
    if (sink === undefined) return;
    const iov: Uint8Array[] = [];
    for (const item of items) if (item.kind === 'chunk' && item.bytes.length > 0) iov.push(item.bytes);
    if (iov.length > 0) await sink.write(iov);
  });
  return { operation: sink === undefined ? 'verify' : 'unpack', ...readReport(header, cfg, figures) };
}
