// Batches of training records: rows copied straight from the decoded
// records (views into the ring) into one flat Float32Array per side, the
// layout frameworks take with a shape ([rows, ...recordShape]).
import { ValidationError } from '../errors.js';
import { copyFloats, elements, type DatasetInfo } from './records.js';

export interface TrainingBatch {
  /** Batch number, from 0. */
  sequence: number;
  /** Dataset index of each row (consecutive unless corrupt records were skipped). */
  indices: number[];
  /** Rows x inputs, row-major; shape `inputShape`. */
  inputs: Float32Array;
  targets: Float32Array;
  inputShape: number[];
  targetShape: number[];
  labels: Array<string | null>;
  metadata: Array<Record<string, string>>;
}

export function resolveBatchSize(value: number | undefined): number {
  const n = value ?? 32;
  if (!Number.isSafeInteger(n) || n < 1 || n > 1 << 20) throw new ValidationError('batchSize', `${String(value)} is not a whole number from 1 to 1048576`);
  return n;
}

export class Batcher {
  private rows = 0;
  private indices: number[] = [];
  private labels: Array<string | null> = [];
  private metadata: Array<Record<string, string>> = [];
  private inputs: Float32Array;
  private targets: Float32Array;
  private readonly inSize: number;
  private readonly outSize: number;
  sequence = 0;

  constructor(
    private readonly info: DatasetInfo,
    private readonly size: number,
  ) {
    this.inSize = elements(info.inputShape);
    this.outSize = elements(info.targetShape);
    this.inputs = new Float32Array(size * this.inSize);
    this.targets = new Float32Array(size * this.outSize);
  }

  /** Copies one record in; returns a batch when it is full. */
  add(index: number, inputs: Uint8Array, targets: Uint8Array, label: string | null, metadata: Record<string, string>): TrainingBatch | undefined {
    copyFloats(this.inputs, this.rows * this.inSize, inputs);
    copyFloats(this.targets, this.rows * this.outSize, targets);
    this.indices.push(index);
    this.labels.push(label);
    this.metadata.push({ ...metadata });
    this.rows++;
    return this.rows === this.size ? this.flush() : undefined;
  }

  flush(): TrainingBatch | undefined {
    if (this.rows === 0) return undefined;
    const n = this.rows;
    const batch: TrainingBatch = {
      sequence: this.sequence++,
      indices: this.indices,
      inputs: n === this.size ? this.inputs : this.inputs.slice(0, n * this.inSize),
      targets: n === this.size ? this.targets : this.targets.slice(0, n * this.outSize),
      inputShape: [n, ...this.info.inputShape],
      targetShape: [n, ...this.info.targetShape],
      labels: this.labels,
      metadata: this.metadata,
    };
    this.rows = 0;
    this.indices = [];
    this.labels = [];
    this.metadata = [];
    this.inputs = new Float32Array(this.size * this.inSize);
    this.targets = new Float32Array(this.size * this.outSize);
    return batch;
  }
}

