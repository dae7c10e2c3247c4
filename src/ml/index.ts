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
export {
  writeCheckpoint,
  openCheckpoint,
  Checkpoint,
  CHECKPOINT_CONTENT_TYPE,
  type CheckpointTensor,
  type CheckpointInfo,
  type CheckpointEntry,
  type WriteCheckpointOptions,
  type OpenCheckpointOptions,
} from './checkpoint.js';
export { packSafetensors, unpackSafetensors, inspectSafetensors, type PackSafetensorsOptions } from './safetensors-io.js';
export { SAFETENSORS_MAX_HEADER, TENSOR_METADATA_KEY } from './safetensors.js';
export { ChunkFile, type ChunkFileOptions, type ChunkFileStats } from './chunk-file.js';
export { DTYPE_INFO } from './dtypes.js';
export type { TensorBody } from './tensor-bytes.js';
export { writeRecords, TYPED_CONTENT_TYPE, type WriteRecordsOptions, type RecordsWriteReport, type TypedDatasetInfo } from './typed-records.js';
export type { FieldSpec, Field } from './fields.js';
export type { TypedRecord, TypedTensor, TypedValue } from './typed-codec.js';
export { openDataset, Dataset, type OpenDatasetOptions } from './dataset.js';
export { readRecords, type ReadRecordsOptions, type ReaderState, type RecordReader, type IndexedRecord } from './training-reader.js';
export { permutation, epochSeed, partitionSize, type PartitionOptions } from './shuffle.js';
export { buildIndex, type IndexReport } from './index-build.js';
