import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { gzipSync } from 'node:zlib';
import type { Batch, LogRecord, MetricPoint, SpanRecord } from '../../../shared/model.js';
import { encodeLogsExact, encodeSpansExact } from '../../../shared/otlp/encode-exact.js';
import { encodeMetrics } from '../../../shared/otlp/encode-metrics.js';
import { encodeLogsProtobuf, encodeTracesProtobuf } from '../../../shared/otlp/encode-protobuf.js';
import { encodeMetricsProtobuf } from '../../../shared/otlp/encode-protobuf-metrics.js';
import { parsePartialSuccess } from '../../../shared/otlp/export-response.js';
import { parseRetryAfter } from '../../../shared/retry-after.js';
import { SUCCESS, errorMessage, failure, retryable, type RejectedItem, type WriteResult } from '../../../shared/result.js';
import type { Backend, BackendContext } from '../types.js';
import type { OtlpBackendConfig } from '../../config/backend-schemas.js';

export type OtlpBackendOptions = Pick<OtlpBackendConfig, 'endpoint' | 'headers' | 'timeout' | 'compression'> & {
  /** `http/protobuf` (the OTLP default) or `http/json`. */
  protocol?: OtlpBackendConfig['protocol'];
  fetch?: typeof fetch;
};

type Signal = 'logs' | 'traces' | 'metrics';
type AnyRecord = LogRecord | SpanRecord | MetricPoint;
type Answer = { status: number; retryAfter?: number; body: Uint8Array; contentType: string | null };
type Post = (signal: Signal, records: AnyRecord[]) => Promise<Answer | Error>;

/**
 * OTLP/HTTP onward (protobuf by default, or JSON): each batch's logs to `<endpoint>/v1/logs`, spans to `<endpoint>/v1/traces`
 * and metric points to `<endpoint>/v1/metrics` (an
 * OpenTelemetry Collector, Tempo, Loki, Jaeger, another isotel serve). A sink of the delivery engine like the
 * others: the engine keeps the records on disk, retries and dead-letters; this is only the encode and the
 * request. Answers per the OTLP/HTTP spec: 2xx (with or without partial_success) → stored; 408, 429, 502,
 * 503, 504 and network errors → retry (after Retry-After); 413 → the batch split in halves; other 4xx/5xx →
 * rejected for good. Its own requests are never traced (they would feed themselves through the
 * http/undici instrumentations). Records keep their ids (log.record.uid; a point's id is derived again from
 * what it says), so an isotel ingest stores a re-sent batch once; other receivers may store a retried batch twice (at least once).
 */

export function createOtlpBackend(options: OtlpBackendOptions, ctx: BackendContext): Backend {
  const base = options.endpoint.replace(/\/+$/, '');
  const post = requester(base, options);
  const send = (signal: Signal, records: AnyRecord[]) => sendRecords(post, ctx, signal, records, 0);

  return {
    name: `otlp:${base}`,
    signals: ['log', 'span', 'metric'],
    async write(batch: Batch): Promise<WriteResult> {
      // Spans, then logs, then points: a retry re-sends all (an isotel ingest dedupes them by id).
      const spans = await send('traces', batch.spans);
      if (spans.status === 'retryable') return spans;
      const logs = merge(spans, await send('logs', batch.logs));
      if (logs.status === 'retryable') return logs;
      return merge(logs, await send('metrics', batch.metrics));
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** A batch's records as the request body of `signal`, in the configured encoding. */
function encoder(protocol: OtlpBackendOptions['protocol']): (signal: Signal, records: AnyRecord[]) => Uint8Array {
  const json = (signal: Signal, records: AnyRecord[]) => {
    if (signal === 'logs') return encodeLogsExact(records as LogRecord[]);
    return signal === 'traces' ? encodeSpansExact(records as SpanRecord[]) : encodeMetrics(records as MetricPoint[]);
  };
  if (protocol === 'http/json') return (signal, records) => Buffer.from(JSON.stringify(json(signal, records)), 'utf8');
  return (signal, records) => {
    if (signal === 'logs') return encodeLogsProtobuf(encodeLogsExact(records as LogRecord[]));
    return signal === 'traces' ? encodeTracesProtobuf(encodeSpansExact(records as SpanRecord[])) : encodeMetricsProtobuf(encodeMetrics(records as MetricPoint[]));
  };
}

function requester(base: string, options: OtlpBackendOptions): Post {
  const doFetch = options.fetch ?? fetch;
  const encode = encoder(options.protocol);
  const contentType = options.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  const headers: Record<string, string> = { ...options.headers, 'content-type': contentType };
  if (options.compression === 'gzip') headers['content-encoding'] = 'gzip';
  return async (signal, records) => {
    // The encoders return a fresh, unshared buffer.
    const raw = encode(signal, records) as Uint8Array<ArrayBuffer>;
    try {
      const res = await context.with(suppressTracing(context.active()), () =>
        doFetch(`${base}/v1/${signal}`, {
          method: 'POST',
          headers,
          body: options.compression === 'gzip' ? gzipSync(raw) : raw,
          signal: AbortSignal.timeout(options.timeout * 1000),
        }),
      );
      const body = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
      return { status: res.status, retryAfter: parseRetryAfter(res.headers.get('retry-after'), Date.now()), body, contentType: res.headers.get('content-type') };
    } catch (err) {
      return err instanceof Error ? err : new Error(errorMessage(err));
    }
  };
}

async function sendRecords(post: Post, ctx: BackendContext, signal: Signal, records: AnyRecord[], depth: number): Promise<WriteResult> {
  if (records.length === 0) return SUCCESS;
  const r = await post(signal, records);
  if (r instanceof Error) return retryable(`${signal}: ${r.message}`);
  const s = r.status;
  if (s >= 200 && s < 300) {
    countPartial(ctx, signal, r);
    return SUCCESS;
  }
  if (s === 413 && records.length > 1 && depth < 16) {
    const mid = records.length >> 1;
    const first = await sendRecords(post, ctx, signal, records.slice(0, mid), depth + 1);
    return merge(first, await sendRecords(post, ctx, signal, records.slice(mid), depth + 1));
  }
  if (s === 408 || s === 429 || s === 502 || s === 503 || s === 504) return retryable(`${signal}: http_${s}`, r.retryAfter ?? 0);
  const reason = `${signal}: http_${s} ${new TextDecoder().decode(r.body.subarray(0, 200))}`.trim();
  return failure(records.map((rec) => ({ id: idOf(rec), reason })));
}

/** A 2xx's partial_success (either encoding; an empty body means all stored): counted and reported. */
function countPartial(ctx: BackendContext, signal: Signal, answer: Answer): void {
  const ps = parsePartialSuccess(answer.body, answer.contentType);
  if (ps && ps.rejected > 0) {
    ctx.diag.count(`otlp.${signal}_rejected`, ps.rejected);
    ctx.diag.warn(`OTLP receiver rejected ${ps.rejected} ${signal} record(s): ${ps.errorMessage}`);
  }
}

function idOf(r: AnyRecord): string {
  if ('point_id' in r) return r.point_id;
  return 'record_id' in r ? r.record_id : `${r.trace_id}-${r.span_id}`;
}

/** Two results of one batch: a retry wins (the whole batch is re-sent), then rejections add up. */
function merge(a: WriteResult, b: WriteResult): WriteResult {
  if (a.status === 'retryable') return a;
  if (b.status === 'retryable') return b;
  const reasons: RejectedItem[] = [...(a.status === 'failure' ? a.reasons : []), ...(b.status === 'failure' ? b.reasons : [])];
  return reasons.length > 0 ? failure(reasons) : SUCCESS;
}
