export type {
  MaintenanceReport,
  MigrationReport,
  Retention,
  Store,
  StoredMonitor,
  StoredToken,
  StoreSummary,
  StoreUsage,
} from './store.js';
export { DEFAULT_RETENTION, retentionFromConfig } from './store.js';
export { openStore, type OpenStoreOptions, type StoreConfig } from './open.js';
// The backends themselves are imported from ./sqlite.js and ./postgres.js (openStore loads only the one in use).
export type { SqliteStore, SqliteStoreOptions } from './sqlite.js';
export type { PostgresStore, PostgresStoreOptions } from './postgres.js';
export { LatencySketch, SKETCH_MAX_MS, SKETCH_RELATIVE_ERROR } from './sketch.js';
export { DAY_MS, HOUR_MS } from './time.js';
