// The ML ingestion API (docs/ML.md): training records, pages, model weights.
export {
  NeuralDataStream,
  writeTrainingData,
  readTrainingBatches,
  readTrainingRecords,
  type WriteTrainingOptions,
  type ReadTrainingOptions,
  type DatasetWriteReport,
  type DatasetReadReport,
  type DatasetStream,
} from './neural-data-stream.js';
export type { TrainingBatch } from './training-batches.js';
export { DATASET_CONTENT_TYPE, TRAINING_RECORD_SCHEMA, type TrainingRecord, type StoredRecord, type DatasetInfo, type NanPolicy } from './records.js';
export { PAGE_HEADER, PageReader, PageWriter } from './pages.js';
export {
  streamModelWeights,
  readModelWeights,
  openModelWeights,
  TENSOR_CONTENT_TYPE,
  DTYPES,
  type Dtype,
  type Tensor,
  type TensorData,
  type TensorSource,
  type TensorInfo,
  type TensorSlice,
  type WeightsStream,
  type StreamWeightsOptions,
  type ReadWeightsOptions,
} from './weights.js';
