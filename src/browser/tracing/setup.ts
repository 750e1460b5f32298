/**
 * Tracing for the full build: WebTracerProvider with a parent-based ratio sampler, ZoneContextManager
 * (context follows zone.js across timers, promises and events), fetch and XHR instrumentation that
 * propagate traceparent/tracestate to the page's origin and the allowed CORS URLs, and never trace the
 * SDK's own requests to the ingest. Ended, sampled spans become SpanRecords in the queue.
 */
import { context, propagation, TraceFlags, trace } from '@opentelemetry/api';
import { ZoneContextManager } from '@opentelemetry/context-zone';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { XMLHttpRequestInstrumentation } from '@opentelemetry/instrumentation-xml-http-request';
import { ParentBasedSampler, type SpanProcessor, TraceIdRatioBasedSampler, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import type { Diag } from '../../shared/diag.js';
import type { Attributes, InstrumentationScope, SpanRecord } from '../../shared/model.js';
import type { CorsUrlMatcher } from '../types.js';
import { type DocumentLoadEnv, recordDocumentLoad } from './document-load.js';
import { toSpanRecord } from './span-record.js';

export interface TracingOptions {
  endpoint: string;
  propagateTraceHeaderCorsUrls: CorsUrlMatcher[];
  sampleRate: number;
  resource: Attributes;
  scope: InstrumentationScope;
  sessionId: string;
  push: (span: SpanRecord) => void;
  diag: Diag;
  documentLoad?: DocumentLoadEnv;
}

export interface Tracing {
  shutdown(): Promise<void>;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function setupTracing(o: TracingOptions): Tracing {
  const processor: SpanProcessor = {
    onStart(span) {
      span.setAttribute('session.id', o.sessionId);
    },
    onEnd(span) {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      try {
        o.push(toSpanRecord(span, o.resource, o.scope));
      } catch (err) {
        o.diag.warn('converting a span failed', err);
        o.diag.count('span.failed');
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new WebTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(o.sampleRate) }),
    spanProcessors: [processor],
  });
  // A page has one global tracer provider: if one is there already (init called twice, or the app set up
  // OpenTelemetry itself), leave it alone rather than patch fetch and XHR a second time.
  if (!trace.setGlobalTracerProvider(provider)) {
    o.diag.warn('another OpenTelemetry tracer provider is registered on this page: isotel tracing is off');
    return { shutdown: () => provider.shutdown() };
  }
  provider.register({ contextManager: new ZoneContextManager() });

  // Our own sends (the OTLP routes) must not become spans: only those, since the endpoint may be the page's own origin, whose API calls must be traced.
  const ignoreUrls = [new RegExp(`^${escapeRegExp(o.endpoint.replace(/\/+$/, ''))}/v1/(logs|traces)(\\?|$)`)];
  const cors = o.propagateTraceHeaderCorsUrls;
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new FetchInstrumentation({ ignoreUrls, propagateTraceHeaderCorsUrls: cors }),
      new XMLHttpRequestInstrumentation({ ignoreUrls, propagateTraceHeaderCorsUrls: cors }),
    ],
  });
  const stopDocumentLoad = o.documentLoad
    ? recordDocumentLoad(provider.getTracer(o.scope.name, o.scope.version), o.documentLoad, (fn) => setTimeout(fn, 0))
    : undefined;

  return {
    async shutdown() {
      stopDocumentLoad?.();
      unregister();
      // Ends what is buffered in the SDK (nothing: our processor is synchronous), then frees the globals
      // so a later init can register again.
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
