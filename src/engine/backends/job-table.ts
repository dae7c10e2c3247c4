// The job tables every kernel call takes: Float64Array rows of byte offsets
// into one buffer (the ring), so one call covers a whole batch of slots.
//   hash:       [srcOffset, srcLength, dstOffset]            (32-byte digest at dst)
//   compress:   [srcOffset, srcLength, dstOffset, capacity]  (4-byte LE size + LZ4 block)
//   decompress: [srcOffset, srcLength, dstOffset, capacity]

/** Numbers per row of a hash job table. */
export const HASH_JOB_WIDTH = 3;
/** Numbers per row of an LZ4 job table. */
export const LZ4_JOB_WIDTH = 4;

export function hashJobTable(rows: number): Float64Array {
  return new Float64Array(rows * HASH_JOB_WIDTH);
}

export function lz4JobTable(rows: number): Float64Array {
  return new Float64Array(rows * LZ4_JOB_WIDTH);
}

export function setHashJob(table: Float64Array, row: number, src: number, length: number, dst: number): void {
  const at = row * HASH_JOB_WIDTH;
  table[at] = src;
  table[at + 1] = length;
  table[at + 2] = dst;
}

export function setLz4Job(table: Float64Array, row: number, src: number, length: number, dst: number, capacity: number): void {
  const at = row * LZ4_JOB_WIDTH;
  table[at] = src;
  table[at + 1] = length;
  table[at + 2] = dst;
  table[at + 3] = capacity;
}

/** Row `row` of a hash job table. */
export function hashJob(table: Float64Array, row: number): { src: number; length: number; dst: number } {
  const at = row * HASH_JOB_WIDTH;
  return { src: table[at] ?? 0, length: table[at + 1] ?? 0, dst: table[at + 2] ?? 0 };
}

/** Row `row` of an LZ4 job table. */
export function lz4Job(table: Float64Array, row: number): { src: number; length: number; dst: number; capacity: number } {
  const at = row * LZ4_JOB_WIDTH;
  return { src: table[at] ?? 0, length: table[at + 1] ?? 0, dst: table[at + 2] ?? 0, capacity: table[at + 3] ?? 0 };
}

/** The first `rows` rows of a table (the native calls take the table's length as the count). */
export function rowsOf(table: Float64Array, rows: number, width: number): Float64Array {
  return rows * width === table.length ? table : table.subarray(0, rows * width);
}

/** The source and digest views of a hash job table's first `count` rows, each checked against the buffer. */
export function hashJobViews(ring: Uint8Array, jobs: Float64Array, count: number): { inputs: Uint8Array[]; outputs: Uint8Array[] } {
  if (count * HASH_JOB_WIDTH > jobs.length) throw new RangeError(`${count} hash jobs but the table holds ${Math.floor(jobs.length / HASH_JOB_WIDTH)}`);
  const inputs: Uint8Array[] = [];
  const outputs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const { src, length, dst } = hashJob(jobs, i);
    if (!(src >= 0 && length >= 0 && src + length <= ring.length && dst >= 0 && dst + 32 <= ring.length)) {
      throw new RangeError(`hash job ${i} [${src}, ${length}, ${dst}] lies outside the ${ring.length}-byte buffer`);
    }
    inputs.push(ring.subarray(src, src + length));
    outputs.push(ring.subarray(dst, dst + 32));
  }
  return { inputs, outputs };
}
