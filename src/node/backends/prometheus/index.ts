export { createPrometheusBackend } from './backend.js';
export type { PrometheusBackendOptions } from './backend.js';
