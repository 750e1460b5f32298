/**
 * `isotel/collector`: the OTLP/HTTP ingest route (node:http handler, Express and Fastify adapters) and
 * `serve()`, what `isotel serve` runs.
 */
export { createIngestHandler } from './create.js';
export type { IngestHandler, IngestHandlerOptions } from './create.js';
export type { IngestHealth } from './runtime.js';
export type { DedupeStats } from './dedupe.js';
export { expressIngest, fastifyIngest } from './adapters.js';
export { serve } from './serve.js';
export { INGEST_OWN_PATHS, isIngestOwnPath } from './own-routes.js';
export type { ServeOptions, RunningServer } from './serve.js';
