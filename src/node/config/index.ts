/**
 * Configuration: the YAML file (the original `logger:` schema plus `ingest:`), `$VAR` substitution,
 * validation with errors that name the field and line, the JSON schema for editors, and reload on change.
 */
export { loadConfigFile, loadConfigFileSync, parseConfigText, parseConfigObject } from './load.js';
export type { LoadOptions } from './load.js';
export type { ConfigLayer } from './layers.js';
export { watchConfigFile } from './watch.js';
export type { WatchOptions, ConfigWatcher } from './watch.js';
export { ConfigError } from './errors.js';
export type { ConfigIssue } from './errors.js';
export { configJsonSchema, configJsonSchemaText } from './json-schema.js';
export { buildConfigSchema, SAMPLERS, PROPAGATORS, INSTRUMENTATIONS } from './schema.js';
export type {
  IsotelConfig,
  LoggerConfig,
  IngestConfig,
  QueueConfig,
  LimitsConfig,
  RedactConfig,
  TracingConfig,
  MetricsConfig,
  ViewConfig,
  OtlpExportConfig,
  SamplerName,
  PropagatorName,
  InstrumentationName,
  LogLevelName,
  SchemaOptions,
} from './schema.js';
export { BUILTIN_BACKEND_TYPES, spansFileFor } from './backend-schemas.js';
export type {
  BackendConfig,
  CustomBackendConfig,
  FilesystemBackendConfig,
  ElasticsearchBackendConfig,
  PostgresBackendConfig,
} from './backend-schemas.js';
export type { Env } from './env.js';
