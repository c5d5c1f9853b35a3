export * from './status.js';
export * from './probe.js';
export * from './check.js';
export * from './sanitize.js';
export * from './probes/custom.js';
