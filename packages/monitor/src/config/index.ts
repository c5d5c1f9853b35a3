/**
 * The configuration of `vigil serve`: YAML files with `${ENV}` substitution, merged, validated by one zod
 * schema that also yields the published JSON Schema and docs/config.md.
 */
export { type Env, substituteEnv } from './env.js';
export {
  ConfigError,
  type ConfigIssue,
  formatIssue,
  formatPath,
  type PathSegment,
  type SourcePosition,
} from './errors.js';
export { DURATION_PATTERN, formatDuration, parseDuration } from './duration.js';
export { expandConfigPaths, type LoadedConfig, loadConfig, type LoadOptions, parseConfigSources } from './load.js';
export { loadConfigIsolated, type LoadIsolatedOptions } from './load-isolated.js';
export { type ConfigSource } from './source.js';
export {
  configSchema,
  resolveMonitor,
  type MonitorConfig,
  type MonitorOfType,
  type StorageConfig,
  type VigilConfig,
} from './schema.js';
export {
  MONITOR_TYPE_NAMES,
  type MonitorTypeName,
  monitorSchema,
  monitorTypes,
  PROBING_TYPES,
} from './monitors/index.js';
export { slugify } from './monitors/base.js';
export { heartbeatPingId } from './monitors/heartbeat.js';
export { type StatusRange } from './monitors/http.js';
export {
  buildConfigJsonSchema,
  CONFIG_GENERATE_COMMAND,
  CONFIG_SCHEMA_ID,
  CONFIG_SCHEMA_PATH,
  type JsonSchema,
  renderConfigJsonSchema,
} from './json-schema.js';
export { CONFIG_DOCS_PATH, renderConfigDocs } from './docs.js';
