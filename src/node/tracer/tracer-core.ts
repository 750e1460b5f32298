import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { SanitizeLimits } from '../../shared/sanitize.js';
import type { Attributes as ApiAttributes, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '../../shared/model.js';
import type { SpanSource } from '../record-buffer.js';

/** What every tracer and span of one provider share. */
export interface TracerCore {
  sampler: Sampler;
  /** Span attributes get the logs' limits (logger.limits, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT / _COUNT_LIMIT). */
  limits: SanitizeLimits;
  /** sdk-trace's defaults: 128 events, 128 links, 128 attributes per event or link. */
  eventLimit: number;
  linkLimit: number;
  perItemAttributeLimit: number;
  resource: Attributes;
  diag: Diag;
  /** Called once per ended recording span. */
  onEnd(span: SpanSource): void;
}

export interface SpanEventIn {
  name: string;
  timeMs: number;
  attributes: ApiAttributes;
  dropped: number;
}

export interface SpanLinkIn {
  context: SpanContext;
  attributes: ApiAttributes;
  dropped: number;
}

/** What an ended span holds (span.ts's RecordingSpan), as span-record.ts reads it. */
export interface SpanData {
  spanContext(): SpanContext;
  readonly scope: InstrumentationScope;
  readonly parentSpanId: string | undefined;
  /** Whether the parent's context came from another process (extracted from a traceparent). */
  readonly parentRemote: boolean;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startMs: number;
  readonly endMs: number;
  readonly status: SpanStatus;
  readonly attributes: ApiAttributes;
  readonly events: SpanEventIn[] | undefined;
  readonly links: SpanLinkIn[] | undefined;
  readonly droppedAttributes: number;
  readonly droppedEvents: number;
  readonly droppedLinks: number;
}
