#!/usr/bin/env node
// JSON Lines to a training dataset, parsed in the engine's worker threads:
// `process` runs examples/process/jsonl-extract.mjs on every newline-aligned
// chunk; the rows come back in order and become float32 training records
// (inputs: the numeric fields, targets: the label's index), written with
// writeTrainingData. Lines that are not JSON are counted and skipped.
//
// Usage: node examples/jsonl-to-dataset.mjs data.jsonl out.hvs [--inputs score,id] [--labels cat,dog,bird]
import { parseArgs } from 'node:util';
import { processStream, writeTrainingData } from 'hivestream';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { inputs: { type: 'string', default: 'score' }, label: { type: 'string', default: 'label' }, labels: { type: 'string', default: 'cat,dog,bird,fish,horse,ship,truck,plane' } },
});
const [input, output] = positionals;
if (input === undefined || output === undefined) {
  console.error('usage: node examples/jsonl-to-dataset.mjs data.jsonl out.hvs [--inputs score] [--label label] [--labels cat,dog]');
  process.exit(2);
}
const params = { inputs: values.inputs.split(','), label: values.label, labels: values.labels.split(',') };
const width = params.inputs.length + 1;
let bad = 0;

/** The rows of every chunk, in order, as training records. */
async function* records() {
  const chunks = processStream(input, { module: new URL('./process/jsonl-extract.mjs', import.meta.url), boundary: 'newline', params });
  for await (const { result } of chunks) {
    bad += result.bad;
    for (let at = 0; at < result.rows.length; at += width) {
      yield { inputs: result.rows.subarray(at, at + width - 1), targets: result.rows.subarray(at + width - 1, at + width) };
    }
  }
}

const report = await writeTrainingData(records(), output, { compression: 'lz4', inputShape: [width - 1], targetShape: [1] });
console.log(JSON.stringify({ records: report.records, skippedLines: bad, bytes: report.bytes, storedBytes: report.storedBytes }));
