// A worker module for `process`: keeps the JSON Lines records whose field
// `params.field` equals `params.equals` and drops the rest (and lines that
// are not JSON). A chunk with nothing left returns nothing: it adds nothing
// to the output. Chunks must not split lines (--boundary newline).
//
//   hivestream process data.jsonl --module examples/process/filter.mjs \
//     --boundary newline --params '{"field":"split","equals":"test"}' -o test.jsonl

export default function filter(bytes, { params }) {
  const field = params?.field ?? 'split';
  const wanted = params?.equals;
  const kept = [];
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(0x0a, start);
    end = end < 0 ? bytes.length : end + 1;
    const line = bytes.subarray(start, end);
    let record;
    try {
      record = JSON.parse(line.toString('utf8'));
    } catch {
      record = undefined;
    }
    if (typeof record === 'object' && record !== null && record[field] === wanted) kept.push(line);
    start = end;
  }
  if (kept.length === 0) return undefined;
  // Everything kept: the chunk itself (it stays in the ring, no copy).
  if (kept.length > 0 && kept[0].byteOffset === bytes.byteOffset && kept.reduce((n, l) => n + l.length, 0) === bytes.length) return bytes;
  return Buffer.concat(kept);
}
