export { createOtlpBackend } from './backend.js';
export type { OtlpBackendOptions } from './backend.js';
