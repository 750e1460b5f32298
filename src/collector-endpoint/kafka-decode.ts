import type { Batch } from '../shared/model.js';
import { decodeLogs, decodeMetrics, decodeMetricsProtobuf, decodeSpans, decodeLogsProtobuf, decodeTracesProtobuf, type DecodeLimits, type DecodeResult } from '../shared/otlp/index.js';
import { enrichLogs, enrichMetrics, enrichSpans, type EnrichContext } from './enrich.js';

export type KafkaSignal = 'logs' | 'spans' | 'metrics';

type AnyRecord = Batch['logs'][number] | Batch['spans'][number] | Batch['metrics'][number];

/** Per topic's signal: the protobuf reader, the validator, and where the records go (with their enrichment). */
const SIGNALS: Record<KafkaSignal, {
  message: string;
  protobuf(value: Uint8Array): unknown;
  decode(parsed: unknown, limits: Partial<DecodeLimits>): DecodeResult<AnyRecord>;
  fill(batch: Batch, records: AnyRecord[], ctx: EnrichContext): void;
}> = {
  logs: { message: 'ExportLogsServiceRequest', protobuf: decodeLogsProtobuf, decode: decodeLogs, fill: (b, r, ctx) => enrichLogs((b.logs = r as Batch['logs']), ctx) },
  spans: { message: 'ExportTraceServiceRequest', protobuf: decodeTracesProtobuf, decode: decodeSpans, fill: (b, r, ctx) => enrichSpans((b.spans = r as Batch['spans']), ctx) },
  metrics: { message: 'ExportMetricsServiceRequest', protobuf: decodeMetricsProtobuf, decode: decodeMetrics, fill: (b, r, ctx) => enrichMetrics((b.metrics = r as Batch['metrics']), ctx) },
};

/** A message's records, ready to append, or why it cannot be stored (it goes to the dead-letter topic). */
export type DecodedMessage = { ok: true; batch: Batch; rejected: number } | { ok: false; reason: string };

/**
 * One Kafka message's value (an OTLP protobuf Export*ServiceRequest) through the ingest's own path after the
 * HTTP body: the protobuf decoder, validation with the ingest's limits, then enrichment (record ids for logs
 * that carry none, point ids derived from each point's stream identity and time, redaction). A message with no
 * valid record, or that is not protobuf of the topic's type, is refused with the decoder's reason. The same
 * message read twice gives the same ids (a metric point's from its content as the message holds it: points an
 * isotel ingest shifted for clock skew carry the shifted time, and their ids here are derived from that).
 */
export function decodeKafkaMessage(signal: KafkaSignal, value: Uint8Array, limits: Partial<DecodeLimits>, ctx: EnrichContext): DecodedMessage {
  const sig = SIGNALS[signal];
  let parsed: unknown;
  try {
    parsed = sig.protobuf(value);
  } catch (err) {
    return { ok: false, reason: `not an OTLP protobuf ${sig.message}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const decoded = sig.decode(parsed, limits);
  if (decoded.records.length === 0) {
    const why = decoded.errors.join('; ');
    return { ok: false, reason: why ? `no valid ${signal} record: ${why}` : `an empty ${signal} request` };
  }
  const batch: Batch = { logs: [], spans: [], metrics: [] };
  sig.fill(batch, decoded.records, ctx);
  return { ok: true, batch, rejected: decoded.rejected };
}
