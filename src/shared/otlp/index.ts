/**
 * The OTLP codec: model records to OTLP/HTTP JSON requests and back, and OTLP protobuf bodies to the same
 * JSON shape. encodeLogs/encodeSpans write what an SDK builds (the browser's encoder); the *Exact ones any
 * record, with tagged values and schema URLs. Browser-safe. `deriveRecordId` (node:crypto) is imported from './derive-id.js' by the ingest.
 */
export { encodeLogs, encodeSpans, groupSpans } from './encode.js';
export { encodeLogsExact, encodeSpansExact } from './encode-exact.js';
export { decodeLogs, decodeSpans, decodeMetrics } from './decode.js';
export { decodeLogsProtobuf, decodeTracesProtobuf, ProtobufError, MAX_PROTOBUF_DEPTH } from './protobuf.js';
export { decodeMetricsProtobuf } from './protobuf-metrics.js';
export { DEFAULT_DECODE_LIMITS, MAX_ERRORS } from './limits.js';
export type { DecodeLimits, DecodeResult } from './limits.js';
export { LOG_RECORD_UID } from './any-value.js';
export type {
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  OtlpAnyValue,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpLogRecord,
  OtlpResource,
  OtlpResourceLogs,
  OtlpResourceSpans,
  OtlpScopeLogs,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpSpanKind,
  OtlpSpanLink,
  OtlpSpanRecord,
  OtlpStatus,
  OtlpStatusCode,
} from './types.js';
