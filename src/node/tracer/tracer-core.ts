import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { SanitizeLimits } from '../../shared/sanitize.js';
import type { RecordingSpan } from './span.js';

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
  onEnd(span: RecordingSpan): void;
}
