import type { IncomingMessage, ServerResponse } from 'node:http';
import { emptyBatch, type Batch } from '../shared/model.js';
import {
  decodeLogs,
  decodeSpans,
  decodeMetrics,
  decodeLogsProtobuf,
  decodeTracesProtobuf,
  decodeMetricsProtobuf,
  type DecodeLimits,
  type DecodeResult,
} from '../shared/otlp/index.js';
import { readBody, bodyKind } from './body.js';
import { createKeyCheck } from './ingest-key.js';
import { createRateLimiter } from './rate-limit.js';
import { enrichLogs, enrichMetrics, enrichSpans, type EnrichContext } from './enrich.js';
import { successBody, type Signal } from './otlp-response.js';
import type { IngestMetrics } from './metrics.js';
import type { IngestDedupe } from './dedupe.js';
import type { Responder } from './respond.js';
import type { IngestRuntime } from './runtime.js';

/** The settings POST /v1/logs, /v1/traces and /v1/metrics read (handler.ts's HandlerSettings). */
export interface IngestRouteSettings {
  ingestKeys: readonly string[];
  maxBodyBytes: number;
  requestTimeoutMs: number;
  rateLimit: { records_per_second: number; burst: number };
  limits: Partial<DecodeLimits>;
  trustProxy: boolean;
  recordClientAddress: boolean;
  skewThresholdMs: number;
}

type Kind = 'json' | 'protobuf';

type AnyRecord = Batch['logs'][number] | Batch['spans'][number] | Batch['metrics'][number];

/** Per signal: the protobuf reader, the validator, and where its records go in a batch (with their enrichment). */
const SIGNALS: Record<Signal, {
  protobuf(body: Buffer): unknown;
  decode(parsed: unknown, limits: Partial<DecodeLimits>): DecodeResult<AnyRecord>;
  fill(batch: Batch, records: AnyRecord[], ctx: EnrichContext): void;
}> = {
  logs: { protobuf: decodeLogsProtobuf, decode: decodeLogs, fill: (b, r, ctx) => enrichLogs((b.logs = r as Batch['logs']), ctx) },
  traces: { protobuf: decodeTracesProtobuf, decode: decodeSpans, fill: (b, r, ctx) => enrichSpans((b.spans = r as Batch['spans']), ctx) },
  metrics: { protobuf: decodeMetricsProtobuf, decode: decodeMetrics, fill: (b, r, ctx) => enrichMetrics((b.metrics = r as Batch['metrics']), ctx) },
};

/**
 * POST /v1/logs, /v1/traces and /v1/metrics (a metric point counts as one record). Cheapest checks first: ingest key → content type → body (size, encoding,
 * time) → decode + validate → rate limit → enrich → dedupe window → write-ahead log (fsync; --role ingest: Kafka's ack) → 200.
 */
export class IngestRoute {
  private readonly keyOk;
  private readonly limiter;

  constructor(
    private readonly runtime: IngestRuntime,
    private readonly s: IngestRouteSettings,
    private readonly r: Responder,
    private readonly metrics: IngestMetrics,
    private readonly dedupe: IngestDedupe,
    private readonly now: () => number,
  ) {
    this.keyOk = createKeyCheck(s.ingestKeys);
    this.limiter = createRateLimiter(s.rateLimit, now);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, signal: Signal): Promise<void> {
    const route = `/v1/${signal}`;
    const receivedAt = this.now();
    if (!this.keyOk(req, url)) return this.r.fail(res, route, 401, 'missing or wrong ingest key (header x-isotel-ingest-key or query parameter ingest_key)');
    const kind = bodyKind(req.headers['content-type']);
    if (!kind) {
      req.resume();
      return this.r.fail(res, route, 415, `unsupported content-type "${req.headers['content-type'] ?? ''}" (application/json, application/x-protobuf or text/plain with OTLP JSON)`);
    }
    const body = await readBody(req, this.s.maxBodyBytes, this.s.requestTimeoutMs);
    if (!body.ok && body.status === 408) {
      // The rest of a slow body is not waited for: the answer goes out and the connection is closed.
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.socket.destroy());
    }
    if (!body.ok) return this.r.fail(res, route, body.status, body.reason, kind);
    this.metrics.bytes += body.body.length;
    const staged = this.stage(req, res, url, signal, kind, body.body, receivedAt);
    // Only counts cross this await: the records, the parsed body and the frame's text were referenced by
    // stage() alone, so they are garbage before the fsync ends instead of surviving scavenges while it runs.
    if (staged) await this.answer(res, signal, kind, staged);
  }

  private async answer(res: ServerResponse, signal: Signal, kind: Kind, staged: NonNullable<ReturnType<IngestRoute['stage']>>): Promise<void> {
    const { result, appended, duplicates } = await staged.appended;
    if (!result.ok && result.reason === 'too_large') {
      this.metrics.reject(`${this.runtime.storeKind}_too_large`, staged.count);
      return this.r.fail(res, `/v1/${signal}`, 413, `not stored, send smaller batches: ${result.message}`, kind);
    }
    if (!result.ok) {
      // wal_full, wal_io, ...; kafka_io while Kafka does not acknowledge (--role ingest)
      this.metrics.reject(`${this.runtime.storeKind}_${result.reason}`, staged.count);
      return this.r.fail(res, `/v1/${signal}`, 503, `not stored, retry later: ${result.message}`, kind, { 'Retry-After': String(result.retryAfterSec ?? 5) });
    }
    this.metrics.accept(signal, appended);
    if (duplicates > 0) {
      this.metrics.duplicate(signal, duplicates);
      this.runtime.diag.count('ingest.duplicates_dropped', duplicates);
    }
    const ok = successBody(kind, signal, staged.rejected, staged.message);
    this.r.send(res, `/v1/${signal}`, 200, ok.type, ok.body);
  }

  /**
   * Parse, decode, rate limit, enrich, and start the write-ahead log append: synchronous. Answers the request
   * itself and returns undefined when it stops there.
   */
  private stage(req: IncomingMessage, res: ServerResponse, url: URL, signal: Signal, kind: Kind, body: Buffer, receivedAt: number) {
    const decoded = this.decode(res, signal, kind, body, receivedAt);
    if (!decoded) return undefined;
    const client = clientAddress(req, this.s.trustProxy);
    const rate = this.limiter.take(client, decoded.records.length);
    if (!rate.allowed) {
      return void this.r.fail(res, `/v1/${signal}`, 429, `rate limit of ${this.s.rateLimit.records_per_second} records/s exceeded`, kind, { 'Retry-After': String(rate.retryAfterSec) });
    }
    const batch = emptyBatch();
    SIGNALS[signal].fill(batch, decoded.records, this.enrichContext(req, url, client, receivedAt));
    const appended = this.dedupe.appendOnce(batch, (b) => this.runtime.store(b));
    return { appended, count: decoded.records.length, rejected: decoded.rejected, message: decoded.errors.join('; ') };
  }

  /** The body's valid records; answers the request itself (400, or 200 for an empty one) when there are none. */
  private decode(res: ServerResponse, signal: Signal, kind: Kind, body: Buffer, receivedAt: number) {
    const route = `/v1/${signal}`;
    let parsed: unknown;
    try {
      if (kind === 'json') parsed = JSON.parse(body.toString('utf8'));
      else parsed = SIGNALS[signal].protobuf(body);
    } catch (err) {
      return void this.r.fail(res, route, 400, `body is not valid OTLP ${kind === 'json' ? 'JSON' : 'protobuf'}: ${err instanceof Error ? err.message : 'unreadable'}`, kind);
    }
    const limits = { ...this.s.limits, nowMs: receivedAt };
    const decoded = SIGNALS[signal].decode(parsed, limits);
    if (decoded.rejected > 0) this.metrics.reject('invalid_record', decoded.rejected);
    if (decoded.records.length > 0) return decoded;
    const message = decoded.errors.join('; ');
    if (decoded.rejected > 0) return void this.r.fail(res, route, 400, `every record was rejected: ${message}`, kind);
    // No records and errors: the body is JSON/protobuf but not an OTLP request (`5`, `[]`, `{"resourceLogs":"x"}`).
    if (message) return void this.r.fail(res, route, 400, `not an OTLP ${signal} request: ${message}`, kind);
    const ok = successBody(kind, signal, 0, '');
    return void this.r.send(res, route, 200, ok.type, ok.body);
  }

  private enrichContext(req: IncomingMessage, url: URL, client: string, receivedAt: number): EnrichContext {
    const sentAt = Number(url.searchParams.get('sent_at'));
    return {
      receivedAtMs: receivedAt,
      sentAtMs: Number.isFinite(sentAt) && sentAt > 0 ? sentAt : undefined,
      skewThresholdMs: this.s.skewThresholdMs,
      userAgent: typeof req.headers['user-agent'] === 'string' && url.searchParams.has('sent_at') ? req.headers['user-agent'] : undefined,
      clientAddress: this.s.recordClientAddress ? client : undefined,
      redactor: this.runtime.redactor,
    };
  }
}

function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
