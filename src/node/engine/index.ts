/**
 * The delivery engine's surface: everything a host of the engine (the Node SDK's configureLogger, the ingest's
 * `isotel serve`) uses, and nothing else. The collector imports src/node only through here and through
 * src/node/index.ts (checked by dependency-cruiser in `npm test`).
 *
 *   producer -> durable log (wal.ts) -> dispatcher per sink (dispatcher.ts, target-loop.ts)
 *            -> retry + breaker (target.ts) -> sink.write(batch) -> done | retry | reject (dead-letters.ts)
 */
export { WriteAheadLog } from './wal.js';
export type { WalOptions, WalReader, WalStatus, AppendResult, Committed, CommittedFrame, WalEntry } from './wal.js';
export { WalFollower } from './follower.js';
export type { FollowerOptions, FollowedFrame } from './follower.js';
export type { Position } from './cursor.js';
export type { Segment } from './segments.js';
export { startDispatcher } from './dispatcher.js';
export type { Dispatcher, DispatcherHealth, DispatchTarget, DispatcherOptions } from './dispatcher.js';
export { engineTarget } from './target.js';
export type { EngineTarget } from './target.js';
export { createDeadLetters } from './dead-letters.js';
export { startSinks } from './sinks.js';
export type { RunningSinks, SinksOptions } from './sinks.js';
export { openLocalEngine } from './local.js';
export type { LocalEngine, LocalEngineOptions } from './local.js';
export type { DeliveryChannel } from './types.js';
export { openBackends } from '../open-backends.js';
export type { OpenedBackend, BackendEntry } from '../open-backends.js';
export { defaultRegistry, isBuiltinBackend } from '../registry.js';
export type { BackendRegistry } from '../registry.js';
export type { TraceResult, TraceSummary } from '../backends/types.js';
export type { TraceSearch, TraceFilter, OperationName } from '../backends/trace-search.js';
export type { LogFilter, LogPosition } from '../backends/log-search.js';
export type { MetricFilter, MetricPoints, MetricSeries, MetricAnswer } from '../backends/metric-search.js';
export { bucketSeries, MAX_SCAN_POINTS } from '../backends/metric-search.js';
export { positionOf } from '../backends/log-search.js';
export { isFileOpen } from '../backends/filesystem/shared-files.js';
export { defaultSpansFile, createFilesystemBackend } from '../backends/filesystem/backend.js';
export { loadConfigFile, parseConfigObject } from '../config/index.js';
export type { IsotelConfig, IngestConfig, RedactConfig } from '../config/index.js';
export { createProducer, loadKafkaClient } from '../backends/kafka/client.js';
export { createKafkaBackend } from '../backends/kafka/backend.js';
export { withCircuitBreaker } from './breaker.js';
export { tagMessage, sourceOf } from './source.js';
export type { SourcePosition } from './source.js';
export type { CircuitBreakerBackend } from './breaker.js';
export type { KafkaModule } from '../backends/kafka/client.js';
export { describeKafkaError } from '../backends/kafka/errors.js';
export type { KafkaSectionConfig } from '../config/kafka-schema.js';
