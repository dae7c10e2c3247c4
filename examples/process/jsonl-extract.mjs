// A worker module for `process`: JSON Lines in, float32 feature rows out.
// Each chunk (cut at newlines: --boundary newline) is parsed line by line;
// each record gives one row of `params.inputs` (numeric fields) followed by
// the index of its `params.label` field in `params.labels` (-1 if absent).
// Lines that are not JSON objects are counted and skipped.
//
//   processStream('data.jsonl', { module: 'examples/process/jsonl-extract.mjs',
//     boundary: 'newline', params: { inputs: ['score'], label: 'label', labels: ['cat', 'dog'] } })
//
// yields, per chunk, { rows: Float32Array, width, bad }: see
// examples/jsonl-to-dataset.mjs, which writes them as a training dataset.

const NEWLINE = 0x0a;

export default function extract(bytes, { params }) {
  const inputs = params?.inputs ?? ['score'];
  const labelField = params?.label ?? 'label';
  const labels = new Map((params?.labels ?? []).map((name, i) => [name, i]));
  const width = inputs.length + 1;
  // One row per line at most: count the lines first, then fill.
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
  const rows = new Float32Array((lines + 1) * width);
  const text = bytes.toString('utf8');
  let n = 0;
  let bad = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      let record;
      try {
        record = JSON.parse(text.slice(start, end));
      } catch {
        record = undefined;
      }
      if (typeof record === 'object' && record !== null) {
        const at = n * width;
        inputs.forEach((field, i) => (rows[at + i] = Number(record[field] ?? Number.NaN)));
        rows[at + inputs.length] = labels.get(record[labelField]) ?? -1;
        n++;
      } else {
        bad++;
      }
    }
    start = end + 1;
  }
  return { rows: rows.subarray(0, n * width), width, bad };
}
