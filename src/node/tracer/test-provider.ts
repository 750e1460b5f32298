import { AlwaysOnSampler, ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace-base';
import { createDiag } from '../../shared/diag.js';
import { DEFAULT_SANITIZE_LIMITS, type SanitizeLimits } from '../../shared/sanitize.js';
import type { SpanRecord } from '../../shared/model.js';
import { IsotelTracerProvider } from './tracer.js';
import type { RecordingSpan } from './span.js';

/** A provider for unit tests: ended spans' records in `records`. */
export function testProvider(opts: { sampler?: Sampler; limits?: Partial<SanitizeLimits>; eventLimit?: number; linkLimit?: number } = {}) {
  const records: SpanRecord[] = [];
  const ended: RecordingSpan[] = [];
  const provider = new IsotelTracerProvider(
    {
      sampler: opts.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      limits: { ...DEFAULT_SANITIZE_LIMITS, ...opts.limits },
      eventLimit: opts.eventLimit ?? 128,
      linkLimit: opts.linkLimit ?? 128,
      perItemAttributeLimit: 128,
      resource: { 'service.name': 'svc' },
      diag: createDiag(() => {}),
      onEnd: (span) => {
        ended.push(span as RecordingSpan);
        const r = span.toSpanRecord();
        if (r) records.push(r);
      },
    },
    { name: 'isotel', version: '0.1.0' },
  );
  return { provider, records, ended };
}
