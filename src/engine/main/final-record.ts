// The final record's metadata, decoded on the main thread from the block the
// worker already checked (still in the slot's input area): the chain needs it
// for the signature, which workers do not pass back through the slot.
import { SYNC_SIZE } from '../../format/constants.js';
import { decodeRecord } from '../../format/record.js';
import type { RingView } from '../contract/slots.js';

export function finalMetadata(ring: RingView, slot: number, chunkSize: number): Map<string, string> {
  const blockLength = ring.get(slot, 'blockLength');
  return decodeRecord(ring.input(slot, blockLength), 0, blockLength - SYNC_SIZE, {
    sequence: ring.get(slot, 'sequence'),
    baseOffset: ring.get(slot, 'blockOffset'),
    chunkSize,
  }).metadata;
}
