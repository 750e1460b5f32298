/**
 * One OTLP JSON LogRecord to the record model, every field checked. Times: timeUnixNano 0 (unset) falls
 * back to observedTimeUnixNano, as the logs data model says, and both unset to the receive time (nowMs);
 * an unset observed time is the receive time. The record id is the log.record.uid attribute when valid,
 * otherwise '' for the ingest to derive.
 */
import type { LogRecord } from '../model.js';
import { severityText } from '../severity.js';
import { msToIso } from '../time.js';
import { decodeAnyValue, decodeKeyValueList } from './any-value.js';
import { isObject, isoFromNanos, readEnum, readId, readString, readTime, readUint32 } from './fields.js';
import { invalidText } from './invalid-text.js';
import { fail, INVALID, within, type DecodeContext, type Invalid, type RecordGroup } from './limits.js';

const SEVERITY_NAMES: readonly string[] = Array.from({ length: 25 }, (_, i) => severityText(i));

export function decodeLogRecord(ctx: DecodeContext, raw: unknown, { resource, resourceSchemaUrl, scope }: RecordGroup): LogRecord | Invalid {
  if (!isObject(raw)) return fail(ctx, '', 'not an object');
  const bad = invalidText(raw);
  if (bad) return fail(ctx, '', bad);

  const time = readTime(ctx, raw.timeUnixNano);
  if (time === INVALID) return within(ctx, '.timeUnixNano');
  const observed = readTime(ctx, raw.observedTimeUnixNano);
  if (observed === INVALID) return within(ctx, '.observedTimeUnixNano');

  const severityNumber = readEnum(ctx, raw.severityNumber, SEVERITY_NAMES, 'SEVERITY_NUMBER_');
  if (severityNumber === INVALID) return within(ctx, '.severityNumber');
  const text = readString(ctx, raw.severityText, ctx.maxKeyLength);
  if (text === INVALID) return within(ctx, '.severityText');

  const body = decodeAnyValue(ctx, raw.body, 0, ctx.maxBodyLength);
  if (body === INVALID) return within(ctx, '.body');

  ctx.capturedUid = undefined;
  const attributes = decodeKeyValueList(ctx, raw.attributes, 0, true, true);
  if (attributes === INVALID) return within(ctx, '.attributes');
  const uid = ctx.capturedUid;
  const dropped = readUint32(ctx, raw.droppedAttributesCount);
  if (dropped === INVALID) return within(ctx, '.droppedAttributesCount');
  const droppedTotal = (dropped ?? 0) + ctx.lastDropped;

  const traceId = readId(ctx, raw.traceId, 32);
  if (traceId === INVALID) return within(ctx, '.traceId');
  const spanId = readId(ctx, raw.spanId, 16);
  if (spanId === INVALID) return within(ctx, '.spanId');
  const flags = readUint32(ctx, raw.flags);
  if (flags === INVALID) return within(ctx, '.flags');
  const eventName = readString(ctx, raw.eventName, ctx.maxKeyLength);
  if (eventName === INVALID) return within(ctx, '.eventName');

  const observedIso = observed === 0n ? msToIso(ctx.nowMs) : isoFromNanos(ctx, observed);
  const record: LogRecord = {
    record_id: uid ?? '',
    timestamp: time !== 0n ? isoFromNanos(ctx, time) : observedIso,
    observed_timestamp: observedIso,
    severity_text: text || severityText(severityNumber),
    severity_number: severityNumber,
    body,
    attributes,
    resource,
    scope,
  };
  if (traceId !== undefined) record.trace_id = traceId;
  if (spanId !== undefined) record.span_id = spanId;
  // Protobuf cannot tell flags 0 from absent: a record in a trace always has its trace flags, 0 included.
  if (traceId !== undefined) record.trace_flags = flags ?? 0;
  else if (flags) record.trace_flags = flags;
  if (eventName) record.event_name = eventName;
  if (droppedTotal > 0) record.dropped_attributes_count = droppedTotal;
  if (resourceSchemaUrl) record.resource_schema_url = resourceSchemaUrl;
  return record;
}
