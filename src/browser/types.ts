/**
 * The public types of `isotel/browser`, `isotel/browser/zone` and `isotel/browser/lite`.
 */
import type { Span, SpanOptions } from '@opentelemetry/api';
import type { LogRecord } from '../shared/model.js';
import type { OtlpMetric } from '../shared/otlp/types.js';
import type { Level } from '../shared/severity.js';

export type { LogRecord, SpanRecord } from '../shared/model.js';
export type { Level } from '../shared/severity.js';
export type { Span, SpanOptions } from '@opentelemetry/api';

/** Where traceparent/tracestate may be sent besides the page's own origin. */
export type CorsUrlMatcher = string | RegExp;

export interface BrowserOptions {
  /** Base URL of the ingest: records go to `{endpoint}/v1/logs` and `{endpoint}/v1/traces`. */
  endpoint: string;
  serviceName: string;
  serviceVersion?: string;
  /** Sent as the `deployment.environment.name` resource attribute. */
  environment?: string;
  /** Sent as the `x-isotel-ingest-key` header on fetch and as the `ingest_key` query parameter on beacons. */
  ingestKey?: string;
  /** Requests to these URLs (and to the page's own origin) carry traceparent/tracestate. Full build only. */
  propagateTraceHeaderCorsUrls?: CorsUrlMatcher | CorsUrlMatcher[];
  /** Minimum level recorded (default 'info'). */
  logLevel?: Level;
  /** Fraction of new traces recorded, 0..1 (default 1); parent-based. Full build only. */
  sampleRate?: number;
  /** Records window `error` and `unhandledrejection` (default true). */
  captureErrors?: boolean;
  /** Records console.debug/log/info/warn/error calls (default false). */
  captureConsole?: boolean;
  /**
   * Names the CLIENT span of a fetch/XHR call. Default: method and path template (`GET /api/items/:id`:
   * numeric, UUID and long hex segments become `:id`). Return undefined for the default. Full build only.
   */
  httpSpanName?: (request: HttpSpanNameInput) => string | undefined;
  /** A `documentLoad` span from the navigation timing, linked to the server's trace. Full build only. */
  instrumentDocumentLoad?: boolean;
  /** Last chance to redact (return a changed record) or drop (return null) a log record. */
  beforeSend?: (record: LogRecord) => LogRecord | null | undefined;
  /** Called with a fresh status when the queue changes (throttled to one call per 250 ms). */
  onStatus?: (status: TelemetryHealth) => void;
  /** Queue bounds (defaults 5,000 records and 5 MB); the oldest records are dropped first. */
  maxQueueRecords?: number;
  maxQueueBytes?: number;
  /** Delay between a record and the batch that carries it (default 1,000 ms). */
  batchDelayMs?: number;
  /**
   * The session (`session.id`, shared by the origin's tabs) ends after this long without a record or span
   * (default 15 min); the next record starts a new one, with `session.previous_id`. Full build only (lite:
   * one session per tab).
   */
  sessionInactivityTimeoutMs?: number;
  /** ... or this long after it started (default 4 h). Full build only. */
  sessionMaxDurationMs?: number;
  /**
   * The unload policy: what becomes of the records the page-hide beacon carried (a beacon is sent, never
   * confirmed). false (default), at least once: the next page of the origin sends them again; isotel's
   * ingest stores each once (it dedupes by `log.record.uid` and span ids), a collector that does not
   * dedupe stores some twice. true, at most once: the next page deletes them instead; a beacon the browser
   * did not deliver loses them. README, "Unload policy".
   */
  unloadAtMostOnce?: boolean;
}

/** What `httpSpanName` is given. */
export interface HttpSpanNameInput {
  /** Upper case; `_OTHER` for a method the HTTP semantic conventions do not know. */
  method: string;
  /** The full URL (also the span's `url.full`). */
  url: string;
  /** The default path template, e.g. `/api/items/:id` (also the span's `url.template`). */
  template: string;
}

export type LogMethod = (message: unknown, attributes?: Record<string, unknown>) => void;

export interface BrowserLogger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
}

export interface TelemetryHealth {
  /** Records waiting in this origin's queue, as last seen by this tab (all tabs share one queue). */
  queued: number;
  /** Records in requests that have not answered yet. */
  inFlight: number;
  /** Records this tab delivered (2xx). */
  delivered: number;
  /** Records given to sendBeacon by this tab (sent, not confirmed: they are re-sent on the next load). */
  beaconed: number;
  dropped: { total: number; reasons: Record<string, number> };
  lastError?: string;
  /** Whether this tab is the origin's sender (one at a time). */
  sender: boolean;
  storage: 'indexeddb' | 'memory' | 'none';
  sessionId: string;
}

export type StatusListener = (status: TelemetryHealth) => void;

export interface FlushResult {
  /** True when nothing this tab knows of is left to send. */
  done: boolean;
  /** Records still queued (for another tab, for a later retry, or given up for now). */
  queued: number;
}

export interface Telemetry {
  readonly logger: BrowserLogger;
  /** The current session's id (it changes when the session rolls over). */
  readonly sessionId: string;
  /** Sends everything queued now; resolves when done or when it gave up with records still queued. Never rejects. */
  flush(): Promise<FlushResult>;
  /** Flushes, then removes every listener, restores console, stops timers. Idempotent; never rejects. */
  shutdown(): Promise<void>;
  health(): TelemetryHealth;
  /** Calls fn on every status change until the returned function is called. */
  subscribe(fn: StatusListener): () => void;
  /** @internal How `isotel/browser/metrics` queues one OTLP metric (this page's resource and scope are added). */
  readonly _metric?: (metric: OtlpMetric) => void;
}

/** Spans of the app's own work (`isotel/browser` and `/zone`; not lite). Never throws for the SDK's own reasons. */
export interface SpanApi {
  /** Starts a span, the child of the active one (see `withSpan`); the app ends it with `span.end()`. */
  startSpan(name: string, options?: SpanOptions): Span;
  /**
   * Calls fn with `span` active and returns what fn returns: fetch/XHR calls and log records made in fn
   * are its children. Zone-free (`isotel/browser`): in fn's synchronous part, and, when fn returns a
   * promise, until that promise settles (its await chain: see the README for what that covers). With
   * `isotel/browser/zone`: everything fn starts (timers, events, promises). Does not end the span.
   */
  withSpan<T>(span: Span, fn: (span: Span) => T): T;
  /** The active span (see `withSpan`), or undefined. */
  getActiveSpan(): Span | undefined;
}

/** What `init` of `isotel/browser` and `isotel/browser/zone` returns. */
export interface BrowserTelemetry extends Telemetry, SpanApi {}
