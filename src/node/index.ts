/**
 * `isotel/node`: the Node logger and tracing API, the backends and their registry.
 */
export { configureLogger } from './configure.js';
export type { ConfigureOptions } from './configure.js';
export type { Logger, LogMethod, LoggerHealth, TracedOptions, TracedDecorator } from './logger.js';
export type { SpanOptions } from './spans.js';
export { httpMiddleware, expressMiddleware, fastifyPlugin } from './middleware/index.js';
export { inject, extract, withExtractedContext } from './propagation.js';
export type { Carrier } from './propagation.js';
export type { HttpInstrumentationOptions, HttpListener, ExpressMiddleware, FastifyPlugin } from './middleware/index.js';
export { registerBackend, createBackendRegistry } from './registry.js';
export type { BackendRegistry } from './registry.js';
export type { Backend, BackendFactory, BackendContext, BackendHealth, TraceResult } from './backends/types.js';
export { createFilesystemBackend } from './backends/filesystem/backend.js';
export type { FilesystemBackendOptions } from './backends/filesystem/backend.js';
export type { LogRecord, SpanRecord, Batch, AnyValue, Attributes } from '../shared/model.js';
export type { WriteResult, RejectedItem } from '../shared/result.js';
export { SUCCESS, retryable, failure } from '../shared/result.js';
export type { Level } from '../shared/severity.js';
