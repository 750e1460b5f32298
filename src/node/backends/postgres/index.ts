export { createPostgresBackend } from './backend.js';
export type { PostgresBackendConfig } from './config.js';
export { POSTGRES_DEFAULTS, resolvePostgresConfig } from './config.js';
export { PostgresBackendError } from './errors.js';
