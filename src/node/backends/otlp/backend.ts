import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { gzipSync } from 'node:zlib';
import type { Batch, LogRecord, SpanRecord } from '../../../shared/model.js';
import { encodeLogsExact, encodeSpansExact } from '../../../shared/otlp/encode-exact.js';
import { parseRetryAfter } from '../../../shared/retry-after.js';
import { SUCCESS, errorMessage, failure, retryable, type RejectedItem, type WriteResult } from '../../../shared/result.js';
import type { Backend, BackendContext } from '../types.js';
import type { OtlpBackendConfig } from '../../config/backend-schemas.js';

export type OtlpBackendOptions = Pick<OtlpBackendConfig, 'endpoint' | 'headers' | 'timeout' | 'compression'> & { fetch?: typeof fetch };

type Signal = 'logs' | 'traces';
type Post = (signal: Signal, body: unknown) => Promise<{ status: number; retryAfter?: number; text: string } | Error>;

/**
 * OTLP/HTTP JSON onward: each batch's logs to `<endpoint>/v1/logs` and spans to `<endpoint>/v1/traces` (an
 * OpenTelemetry Collector, Tempo, Loki, Jaeger, another isotel serve). A sink of the delivery engine like the
 * others: the engine keeps the records on disk, retries and dead-letters; this is only the encode and the
 * request. Answers per the OTLP/HTTP spec: 2xx (with or without partial_success) → stored; 408, 429, 502,
 * 503, 504 and network errors → retry (after Retry-After); 413 → the batch split in halves; other 4xx/5xx →
 * rejected for good. Its own requests are never traced (they would feed themselves through the
 * http/undici instrumentations). Records keep their ids (log.record.uid), so an isotel ingest stores a
 * re-sent batch once; other receivers may store a retried batch twice (at least once).
 */

export function createOtlpBackend(options: OtlpBackendOptions, ctx: BackendContext): Backend {
  const base = options.endpoint.replace(/\/+$/, '');
  const post = requester(base, options);
  const send = (signal: Signal, records: Array<LogRecord | SpanRecord>) => sendRecords(post, ctx, signal, records, 0);

  return {
    name: `otlp:${base}`,
    async write(batch: Batch): Promise<WriteResult> {
      // Spans first, then logs: a retry re-sends both (an isotel ingest dedupes them by id).
      const spans = await send('traces', batch.spans);
      if (spans.status === 'retryable') return spans;
      return merge(spans, await send('logs', batch.logs));
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

function requester(base: string, options: OtlpBackendOptions): Post {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/json' };
  if (options.compression === 'gzip') headers['content-encoding'] = 'gzip';
  return async (signal, body) => {
    const json = Buffer.from(JSON.stringify(body), 'utf8');
    try {
      const res = await context.with(suppressTracing(context.active()), () =>
        doFetch(`${base}/v1/${signal}`, {
          method: 'POST',
          headers,
          body: options.compression === 'gzip' ? gzipSync(json) : json,
          signal: AbortSignal.timeout(options.timeout * 1000),
        }),
      );
      const text = await res.text().catch(() => '');
      return { status: res.status, retryAfter: parseRetryAfter(res.headers.get('retry-after'), Date.now()), text };
    } catch (err) {
      return err instanceof Error ? err : new Error(errorMessage(err));
    }
  };
}

async function sendRecords(post: Post, ctx: BackendContext, signal: Signal, records: Array<LogRecord | SpanRecord>, depth: number): Promise<WriteResult> {
  if (records.length === 0) return SUCCESS;
  const body = signal === 'logs' ? encodeLogsExact(records as LogRecord[]) : encodeSpansExact(records as SpanRecord[]);
  const r = await post(signal, body);
  if (r instanceof Error) return retryable(`${signal}: ${r.message}`);
  const s = r.status;
  if (s >= 200 && s < 300) {
    countPartial(ctx, signal, r.text);
    return SUCCESS;
  }
  if (s === 413 && records.length > 1 && depth < 16) {
    const mid = records.length >> 1;
    const first = await sendRecords(post, ctx, signal, records.slice(0, mid), depth + 1);
    return merge(first, await sendRecords(post, ctx, signal, records.slice(mid), depth + 1));
  }
  if (s === 408 || s === 429 || s === 502 || s === 503 || s === 504) return retryable(`${signal}: http_${s}`, r.retryAfter ?? 0);
  const reason = `${signal}: http_${s} ${r.text.slice(0, 200)}`.trim();
  return failure(records.map((rec) => ({ id: idOf(rec), reason })));
}

function countPartial(ctx: BackendContext, signal: Signal, text: string): void {
  try {
    const ps = (JSON.parse(text) as { partialSuccess?: Record<string, unknown> }).partialSuccess;
    const n = Number(ps?.rejectedLogRecords ?? ps?.rejectedSpans ?? 0);
    if (n > 0) {
      ctx.diag.count(`otlp.${signal}_rejected`, n);
      ctx.diag.warn(`OTLP receiver rejected ${n} ${signal} record(s): ${String(ps?.errorMessage ?? '')}`);
    }
  } catch {
    // An empty or non-JSON 2xx body: the receiver stored everything (OTLP/HTTP allows an empty response).
  }
}

function idOf(r: LogRecord | SpanRecord): string {
  return 'record_id' in r ? r.record_id : `${r.trace_id}-${r.span_id}`;
}

/** Two results of one batch: a retry wins (the whole batch is re-sent), then rejections add up. */
function merge(a: WriteResult, b: WriteResult): WriteResult {
  if (a.status === 'retryable') return a;
  if (b.status === 'retryable') return b;
  const reasons: RejectedItem[] = [...(a.status === 'failure' ? a.reasons : []), ...(b.status === 'failure' ? b.reasons : [])];
  return reasons.length > 0 ? failure(reasons) : SUCCESS;
}
