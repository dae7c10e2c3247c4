// Test module: results of every kind, chosen by the chunk's sequence.
export default function kinds(bytes, { sequence, offset, params }) {
  switch (sequence % 8) {
    case 0:
      return `chunk ${sequence} at ${offset}`;
    case 1:
      return Float32Array.of(sequence, bytes.length, 0.5);
    case 2:
      // A small view of a larger buffer: only the view crosses.
      return new Uint8Array(1 << 20).fill(7).subarray(10, 14);
    case 3:
      return Uint8Array.of(1, 2, 3).buffer;
    case 4:
      return { sequence, params, nested: [new Int32Array([sequence, -sequence])] };
    case 5:
      return bytes.subarray(0, 4);
    case 6:
      return new BigInt64Array([BigInt(offset)]);
    default:
      return undefined;
  }
}

/** Whole fresh typed arrays (what `transfer` moves). */
export function fresh(bytes, { sequence }) {
  const out = new Int32Array(1024);
  out.fill(sequence);
  return out;
}
