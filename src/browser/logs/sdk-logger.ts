/**
 * The full build's logger: records go through @opentelemetry/sdk-logs, so a log written inside a span
 * (zone.js keeps the context across timers, promises and events) carries that span's trace_id/span_id,
 * and the SDK's processors and limits apply. The record itself is built once, by buildLogRecord; the
 * processor adds what the SDK decided (trace context, attribute limits) and hands it to the queue.
 */
import type { LogAttributes, SeverityNumber } from '@opentelemetry/api-logs';
import { type LogRecordProcessor, LoggerProvider, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { Attributes, LogRecord } from '../../shared/model.js';
import type { Level } from '../../shared/severity.js';
import type { LoggerFeature } from '../initialize.js';
import { buildLogRecord, type LogContext } from './build.js';
import { createLevelLogger } from './level-logger.js';

const INVALID_TRACE = '00000000000000000000000000000000';

/** The same signature as Features.createLogger. */
export function createSdkLogger(o: LogContext, minLevel: Level, emit: (record: LogRecord) => void): LoggerFeature {
  // The record being emitted: set just before sdkLogger.emit, which calls onEmit synchronously.
  let pending: LogRecord | undefined;
  const processor: LogRecordProcessor = {
    onEmit(sdkRecord: SdkLogRecord) {
      const record = pending;
      pending = undefined;
      if (!record) return;
      const sc = sdkRecord.spanContext;
      if (sc && sc.traceId && sc.traceId !== INVALID_TRACE) {
        record.trace_id = sc.traceId;
        record.span_id = sc.spanId;
        record.trace_flags = sc.traceFlags;
      }
      if (sdkRecord.droppedAttributesCount > 0) {
        record.attributes = sdkRecord.attributes as Attributes;
        record.dropped_attributes_count = (record.dropped_attributes_count ?? 0) + sdkRecord.droppedAttributesCount;
      }
      emit(record);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new LoggerProvider({ processors: [processor] });
  const sdkLogger = provider.getLogger(o.scope.name, o.scope.version);

  const logger = createLevelLogger(
    minLevel,
    (level, message, attrs) => {
      const record = buildLogRecord(o, level, message, attrs);
      pending = record;
      try {
        sdkLogger.emit({
          severityNumber: record.severity_number as SeverityNumber,
          severityText: record.severity_text,
          body: record.body,
          attributes: record.attributes as LogAttributes,
        });
      } finally {
        // The SDK did not call onEmit (shut down, disabled): the record still goes to the queue.
        if (pending === record) {
          pending = undefined;
          emit(record);
        }
      }
    },
    o.diag,
  );
  return { logger, shutdown: () => provider.shutdown() };
}
