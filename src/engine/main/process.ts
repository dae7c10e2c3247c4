// process: the caller's own function on every chunk of an input, in the
// engine's pool, its results handed back in chunk order. First the function
// is loaded in a worker (a bad module path or a missing export fails before
// any data is read); then a raw input goes through process-raw.ts and a
// container through the read loop (read-loop.ts), whose workers verify each
// chunk before the function sees it and which yields a result only once its
// chunk passed the chain rules too.
import { ValidationError } from '../../errors.js';
import { MAGIC } from '../../format/constants.js';
import type { ContainerHeader, HeaderLimits } from '../../format/header.js';
import { preadFully } from '../../io/pread.js';
import type { Input } from '../../io/source.js';
import { readContainerHeader } from './container-input.js';
import { MAX_PROCESS_SLOTS, processRaw, resultBytes, resultOf, type ProcessFigures, type ProcessItem, type RawProcessConfig } from './process-raw.js';
import { closeRead, readContainer, type ReadFigures, type ReadItem } from './read-loop.js';
import { readPlan, type StreamPlan } from './ring-plan.js';
import { Run } from './run.js';

export type { ProcessItem, ProcessFigures };

export interface ProcessConfig extends RawProcessConfig {
  /** What the input is: 'auto' takes it for a container when it starts with the Avro magic bytes. */
  input: 'auto' | 'raw' | 'container';
  limits: HeaderLimits;
}

/** What a process run found, beyond its figures. */
export interface ProcessOutcome extends ProcessFigures {
  input: 'raw' | 'container';
  /** The delimiter byte chunks end with (a boundary), or null. */
  boundary: number | null;
  /** Container inputs: the chain, the root digest and the header digest were checked and matched. */
  verified: boolean | undefined;
  rootDigest: string | undefined;
}

/** One slot for the load check: its task carries no chunk. */
const PROBE_PLAN: StreamPlan = { slots: 1, minSlots: 1, batch: 1, inputBytes: 64, outputBytes: 0 };

/** Loads the caller's function in a worker; throws why it cannot be had. */
async function probe(cfg: RawProcessConfig): Promise<void> {
  const run = await Run.start({ ...cfg, inputPath: undefined, onProgress: undefined }, PROBE_PLAN, () => 'loading the function', undefined);
  const r = await run.results({ op: 'call', slots: [], fd: -1, call: cfg.call }, 0);
  await run.finish([]);
  if ('error' in r) throw r.error;
}

async function isContainer(input: Input): Promise<boolean> {
  const head = new Uint8Array(MAGIC.length);
  let n: number;
  if (input.kind === 'file') {
    n = preadFully(input.fd, head, 0);
  } else {
    n = await input.reader.read(head);
    input.reader.unread(head.subarray(0, n));
  }
  return n === MAGIC.length && head.every((b, i) => b === MAGIC[i]);
}

export async function* runProcess(input: Input, cfg: ProcessConfig): AsyncGenerator<ProcessItem[], ProcessOutcome> {
  await probe(cfg);
  const container = cfg.input === 'container' || (cfg.input === 'auto' && (await isContainer(input)));
  const delimiter = cfg.cut.delimiter;
  if (!container) {
    const figures = yield* processRaw(input, cfg);
    return { ...figures, input: 'raw', boundary: delimiter ?? null, verified: undefined, rootDigest: undefined };
  }
  const header = await readContainerHeader(input, cfg.limits);
  if (delimiter !== undefined && header.boundary !== delimiter) {
    const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;
    const has = header.boundary === undefined ? 'fixed-size chunks (packed without a boundary)' : `chunks cut at ${hex(header.boundary)}`;
    throw new ValidationError('boundary', `the container holds ${has}, not chunks cut at ${hex(delimiter)}: pack it with that boundary, or process it without one`);
  }
  const figures = yield* processContainer(input, header, cfg);
  return { ...figures, input: 'container', boundary: header.boundary ?? null };
}

async function* processContainer(input: Input, header: ContainerHeader, cfg: ProcessConfig): AsyncGenerator<ProcessItem[], Omit<ProcessOutcome, 'input' | 'boundary'>> {
  const plan = readPlan(header.chunkSize, Run.workersOf(cfg), input.size, cfg.ringSlots);
  // The same cap on slots as a raw process run.
  const ringSlots = cfg.ringSlots ?? Math.min(plan.slots, MAX_PROCESS_SLOTS);
  const reading = readContainer(input, header, { ...cfg, ringSlots, corrupt: 'throw', call: cfg.call });
  const figures = { chunks: 0, bytes: 0, results: 0, resultBytes: 0 };
  let ended = false;
  try {
    for (;;) {
      const step = await reading.next();
      if (step.done === true) {
        ended = true;
        return { ...figures, inputBytes: step.value.storedBytes, resilience: step.value.resilience, verified: verifiedOf(step.value), rootDigest: step.value.rootDigest };
      }
      yield step.value.map((item) => toProcessItem(item, figures));
    }
  } finally {
    if (!ended) await closeRead(reading);
  }
}

function verifiedOf(f: ReadFigures): boolean {
  return f.verified && f.rootDigest !== '';
}

function toProcessItem(item: ReadItem, figures: Omit<ProcessFigures, 'resilience' | 'inputBytes'>): ProcessItem {
  // The read loop ends on the first bad chunk (corrupt: 'throw'): every item is a chunk.
  if (item.kind !== 'chunk') throw item.error;
  const result = resultOf(item.value, item.bytes.buffer);
  figures.chunks++;
  figures.bytes += item.bytes.length;
  if (result !== undefined) figures.results++;
  figures.resultBytes += resultBytes(result);
  return { sequence: item.sequence, offset: item.offset, length: item.bytes.length, result };
}
