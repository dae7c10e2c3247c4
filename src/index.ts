// Public API of hivestream.
export * from './errors.js';
export { pack, unpack, verify, inspect } from './api.js';
export { fingerprint, type SigningKeyInput, type PublicKeyInput } from './format/signature.js';
export type { PackReport, UnpackReport, InspectReport, Source, SinkTarget, BackendNotes, BackendFallback, NativeAddonInfo } from './api.js';
export { generate, writeSample, type GenerateOptions } from './datagen/generate.js';
export { PROFILES, type Profile } from './util/profiles.js';
export {
  parseSize,
  formatSize,
  type PackOptions,
  type ReadOptions,
  type UnpackOptions,
  type CommonOptions,
  type Compression,
  type Boundary,
  type Progress,
} from './options.js';
export { convert, defaultManifestName, type ConvertOptions, type ConvertReport, type ConvertEvent, type BatchProgress } from './convert/run.js';
export { mergeManifests, type MergeOptions, type MergeReport } from './convert/merge.js';
export { parseShard, shardOf, type Shard } from './convert/shard.js';
export { assignShards, parseBalance, PER_FILE_COST, type Assignment, type Balance, type Sized } from './convert/balance.js';
export { outputName, type Target } from './convert/paths.js';
export type { JobLine, FileLine, EndLine, ManifestLine } from './convert/manifest.js';
export { Engine, type EngineOptions, type EngineStats } from './engine/main/engine.js';
export { getEngine, configureEngine, closeIdlePools } from './engine/main/process-engine.js';
export * from './resilience/index.js';
export type { ResilienceOptions, ResilienceStats } from './engine/main/task-guard.js';
export { parseFaults, type FaultOptions, type FaultRates } from './engine/main/faults.js';
export { processStream, processTo, type ProcessOptions, type ProcessedChunk, type ProcessReport, type ProcessToReport, type ProcessTarget } from './process/api.js';
export type { ChunkContext } from './engine/worker/call.js';
export { readChunks, type ChunkReadOptions, type ChunkEvent, type ChunkReadReport, type ContainerInfo } from './api.js';
export * from './ml/index.js';
export { chunked, type ChunkedOptions, type TypedArray } from './streams/chunked.js';
export { createPackStream, createUnpackStream, EngineStream, type StreamOptions } from './streams/node-streams.js';
export { toWebReadable, fromWebWritable, packTransformStream, unpackTransformStream, type WebTransformPair, type WebReadableOptions } from './streams/web-streams.js';
// metrics/prometheus.ts is a separate subpath export ('hivestream/prometheus'), so prom-client stays optional.
export { metrics, type MetricsSnapshot, type Operation as MetricsOperation, type OperationCounts } from './metrics/process-metrics.js';
export { engineGauges, type EngineGauges } from './engine/main/gauges.js';
