// Public API of hivestream.
export * from './errors.js';
export { pack, unpack, verify, inspect } from './api.js';
export type { PackReport, UnpackReport, InspectReport, Source, SinkTarget, BackendNotes, BackendFallback, NativeAddonInfo } from './api.js';
export { generate, writeSample, type GenerateOptions } from './datagen/generate.js';
export { PROFILES, type Profile } from './datagen/profiles.js';
export {
  parseSize,
  formatSize,
  type PackOptions,
  type ReadOptions,
  type UnpackOptions,
  type CommonOptions,
  type Compression,
  type Progress,
} from './options.js';
export { convert, defaultManifestName, type ConvertOptions, type ConvertReport, type ConvertEvent, type BatchProgress } from './convert/run.js';
export { mergeManifests, type MergeOptions, type MergeReport } from './convert/merge.js';
export { parseShard, shardOf, type Shard } from './convert/shard.js';
export { assignShards, parseBalance, PER_FILE_COST, type Assignment, type Balance, type Sized } from './convert/balance.js';
export { outputName, type Target } from './convert/paths.js';
export type { JobLine, FileLine, EndLine, ManifestLine } from './convert/manifest.js';
export { closeIdlePools } from './engine/pool-cache.js';
export * from './resilience/index.js';
export type { ResilienceOptions, ResilienceStats } from './engine/guard.js';
export { parseFaults, type FaultOptions, type FaultRates } from './engine/faults.js';
export { readChunks, type ChunkReadOptions, type ChunkEvent, type ChunkReadReport, type ContainerInfo } from './api.js';
export * from './ml/index.js';
export { engineGauges, type EngineGauges } from './engine/gauges.js';
