import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from './config/index.js';

/**
 * The sampler of `logger.tracing.sampler` / `sampler_arg` (after OTEL_TRACES_SAMPLER / _ARG): the six
 * samplers of the OpenTelemetry specification, built from sdk-trace-base's. The decision travels in the
 * trace flags (`sampled`), so a parent-based sampler downstream follows it; an unsampled span still has
 * its trace and span ids, and the logs written inside it carry them.
 */
export function buildSampler(tracing: Pick<TracingConfig, 'sampler' | 'sampler_arg'>): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(tracing.sampler_arg);
  switch (tracing.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
