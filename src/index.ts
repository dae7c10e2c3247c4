// Public API of hivestream.
export * from './errors.js';
export * from './resilience/index.js';
