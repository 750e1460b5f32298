import type { Batch } from '../shared/model.js';
import { decodeLogs, decodeSpans, decodeLogsProtobuf, decodeTracesProtobuf, type DecodeLimits } from '../shared/otlp/index.js';
import { enrichLogs, enrichSpans, type EnrichContext } from './enrich.js';

export type KafkaSignal = 'logs' | 'spans';

/** A message's records, ready to append, or why it cannot be stored (it goes to the dead-letter topic). */
export type DecodedMessage = { ok: true; batch: Batch; rejected: number } | { ok: false; reason: string };

/**
 * One Kafka message's value (an OTLP protobuf Export*ServiceRequest) through the ingest's own path after the
 * HTTP body: the protobuf decoder, validation with the ingest's limits, then enrichment (record ids for logs
 * that carry none, redaction). A message with no valid record, or that is not protobuf of the topic's type,
 * is refused with the decoder's reason.
 */
export function decodeKafkaMessage(signal: KafkaSignal, value: Uint8Array, limits: Partial<DecodeLimits>, ctx: EnrichContext): DecodedMessage {
  let parsed: unknown;
  try {
    parsed = signal === 'logs' ? decodeLogsProtobuf(value) : decodeTracesProtobuf(value);
  } catch (err) {
    return { ok: false, reason: `not an OTLP protobuf ${signal === 'logs' ? 'ExportLogsServiceRequest' : 'ExportTraceServiceRequest'}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const decoded = signal === 'logs' ? decodeLogs(parsed, limits) : decodeSpans(parsed, limits);
  if (decoded.records.length === 0) {
    const why = decoded.errors.join('; ');
    return { ok: false, reason: why ? `no valid ${signal} record: ${why}` : `an empty ${signal} request` };
  }
  const batch: Batch = { logs: [], spans: [], metrics: [] };
  if (signal === 'logs') enrichLogs((batch.logs = decoded.records as Batch['logs']), ctx);
  else enrichSpans((batch.spans = decoded.records as Batch['spans']), ctx);
  return { ok: true, batch, rejected: decoded.rejected };
}
