import type { LogRecord, MetricPoint, SpanRecord } from '../shared/model.js';
import { isoToNanos, nanosToIso, msToIso } from '../shared/time.js';
import type { Redactor } from '../shared/redact.js';
import { createPointIdDeriver, createRequestIdDeriver } from '../shared/otlp/derive-id.js';

/**
 * What the ingest adds to records after validation and before the write-ahead log:
 * - a record id for logs sent without `log.record.uid`, derived from the content BEFORE anything below
 *   changes it and from its occurrence among the request's records of the same content, so a client's retry
 *   of the same request maps to the same ids and is stored once, and two identical records are two;
 * - `observed_timestamp` as sent; the decoder already set the receive time where the sender set none;
 * - clock-skew correction: a sender that states its send time (`sent_at` query parameter, epoch ms) gets its
 *   timestamps (observed included) shifted by the measured offset when that is over the threshold; the
 *   offset is kept as `isotel.clock_skew_ms`. A time that is the receive time was set here, on the server's
 *   clock, and is not shifted;
 * - `user_agent.original` and optionally `client.address`;
 * - redaction of secrets in bodies and attribute values.
 */
export interface EnrichContext {
  receivedAtMs: number;
  /** The sender's stated send time, if any. */
  sentAtMs?: number;
  skewThresholdMs: number;
  userAgent?: string;
  clientAddress?: string;
  redactor: Redactor;
}

export function skewOf(ctx: EnrichContext): number {
  if (ctx.sentAtMs === undefined) return 0;
  const offset = Math.round(ctx.receivedAtMs - ctx.sentAtMs);
  return Math.abs(offset) > ctx.skewThresholdMs ? offset : 0;
}

function shift(iso: string, offsetMs: number): string {
  const n = isoToNanos(iso);
  return n === undefined ? iso : nanosToIso(n + BigInt(offsetMs) * 1_000_000n);
}

export function enrichLogs(records: LogRecord[], ctx: EnrichContext): void {
  // What the decoder set a missing time to (decodeLogs gets nowMs = receivedAtMs).
  const received = msToIso(ctx.receivedAtMs);
  const skew = skewOf(ctx);
  const deriveId = createRequestIdDeriver();
  for (const r of records) {
    if (!r.record_id) r.record_id = deriveId(r);
    let attrs = r.attributes;
    if (ctx.redactor.redactsAnything) {
      attrs = ctx.redactor.attributes(attrs);
      r.body = typeof r.body === 'string' ? ctx.redactor.text(r.body) : ctx.redactor.value(r.body);
    }
    if (skew !== 0) {
      if (r.timestamp !== received) r.timestamp = shift(r.timestamp, skew);
      if (r.observed_timestamp !== received) r.observed_timestamp = shift(r.observed_timestamp, skew);
      attrs = attrs === r.attributes ? { ...attrs } : attrs;
      attrs['isotel.clock_skew_ms'] = skew;
    }
    if (ctx.userAgent !== undefined && attrs['user_agent.original'] === undefined) {
      attrs = attrs === r.attributes ? { ...attrs } : attrs;
      attrs['user_agent.original'] = ctx.userAgent;
    }
    if (ctx.clientAddress !== undefined) {
      attrs = attrs === r.attributes ? { ...attrs } : attrs;
      attrs['client.address'] = ctx.clientAddress;
    }
    r.attributes = attrs;
  }
}

export function enrichSpans(spans: SpanRecord[], ctx: EnrichContext): void {
  const skew = skewOf(ctx);
  for (const s of spans) {
    if (ctx.redactor.redactsAnything) {
      s.attributes = ctx.redactor.attributes(s.attributes);
      for (const e of s.events) e.attributes = ctx.redactor.attributes(e.attributes);
    }
    if (skew !== 0) {
      s.start_time = shift(s.start_time, skew);
      s.end_time = shift(s.end_time, skew);
      for (const e of s.events) e.time = shift(e.time, skew);
      s.attributes = { ...s.attributes, 'isotel.clock_skew_ms': skew };
    }
    if (ctx.userAgent !== undefined && s.attributes['user_agent.original'] === undefined && ctx.sentAtMs !== undefined) {
      s.attributes = { ...s.attributes, 'user_agent.original': ctx.userAgent };
    }
  }
}

/**
 * Metric points: the point id from the stream identity and time as sent (before anything below changes them, so a
 * re-send maps to the same id), redaction of attribute values, and the clock-skew shift of the times.
 */
export function enrichMetrics(points: MetricPoint[], ctx: EnrichContext): void {
  const skew = skewOf(ctx);
  const derivePointId = createPointIdDeriver();
  for (const p of points) {
    p.point_id = derivePointId(p);
    if (ctx.redactor.redactsAnything) {
      p.attributes = ctx.redactor.attributes(p.attributes);
      for (const e of p.exemplars ?? []) e.filtered_attributes = ctx.redactor.attributes(e.filtered_attributes);
    }
    if (skew !== 0) {
      p.time = shift(p.time, skew);
      if (p.start_time !== undefined) p.start_time = shift(p.start_time, skew);
      for (const e of p.exemplars ?? []) e.time = shift(e.time, skew);
      p.attributes = { ...p.attributes, 'isotel.clock_skew_ms': skew };
    }
  }
}
