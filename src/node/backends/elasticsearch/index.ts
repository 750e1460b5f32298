export { createElasticsearchBackend } from './backend.js';
export { resolveConfig, ELASTICSEARCH_DEFAULTS } from './config.js';
export type { ElasticsearchBackendConfig, ResolvedElasticsearchConfig } from './config.js';
export { compileIndexPattern } from './index-name.js';
export type { IndexPattern } from './index-name.js';
export { logDocument, spanDocument, decodeLog, decodeSpan } from './documents.js';
export { logsMappings, spansMappings, indexTemplates } from './template.js';
