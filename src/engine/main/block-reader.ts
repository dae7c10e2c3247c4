// The read side's reader loop, shared by unpack/verify and the chunk reader:
// block prefixes are read on the main thread (limits checked before anything
// is read for a block), each block is assigned to a ring slot (for a file, the
// worker reads it itself; for a stream, the main thread copies it in), and
// batches of slots go to `submit`.
import { TruncatedStreamError } from '../../errors.js';
import { SYNC_SIZE } from '../../format/constants.js';
import type { ContainerHeader } from '../../format/header.js';
import type { Input } from '../../io/source.js';
import { readBlockPrefix } from './container-input.js';
import type { Run } from './run.js';

export interface BlocksRead {
  /** Blocks found. */
  total: number;
  /** Container offset just past the last block. */
  end: number;
}

export async function readBlocks(
  input: Input,
  header: ContainerHeader,
  run: Run,
  batch: number,
  recordLimit: number,
  submit: (slots: number[], firstSequence: number) => void,
): Promise<BlocksRead | undefined> {
  const ring = run.ring;
  let pos = header.length;
  let seq = 0;
  while (!run.failed) {
    await run.gate();
    const slots = await run.slots.acquire(batch, run.signal);
    const used: number[] = [];
    let eof = false;
    for (const slot of slots) {
      const prefix = await readBlockPrefix(input, pos, seq, recordLimit);
      if (prefix === null) {
        eof = true;
        break;
      }
      const recordAt = pos + prefix.prefixLength;
      const blockLength = prefix.size + SYNC_SIZE;
      if (input.kind === 'file') {
        if (recordAt + blockLength > input.size) throw new TruncatedStreamError(input.size, 'container ends inside a block', seq);
        ring.set(slot, 'readAt', recordAt);
      } else {
        const n = await input.reader.read(ring.input(slot, blockLength));
        if (n < blockLength) throw new TruncatedStreamError(recordAt + n, 'container ends inside a block', seq);
        ring.set(slot, 'readAt', -1);
      }
      ring.set(slot, 'sequence', seq);
      ring.set(slot, 'blockLength', blockLength);
      ring.set(slot, 'blockOffset', recordAt);
      used.push(slot);
      seq++;
      pos = recordAt + blockLength;
    }
    for (const slot of slots.slice(used.length)) run.slots.release(slot);
    if (used.length > 0) submit(used, seq - used.length);
    if (eof) return { total: seq, end: pos };
  }
  return undefined;
}
