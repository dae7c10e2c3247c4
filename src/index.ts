// Public API of hivestream.
export * from './errors.js';
