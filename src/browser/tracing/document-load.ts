/**
 * The optional `documentLoad` span: from the navigation timing entry (start of navigation to the end of
 * the load event), with events for the main milestones, linked to the server trace named in the
 * navigation response's Server-Timing header.
 */
import { type Attributes, type Link, ROOT_CONTEXT, type SpanContext, type Tracer } from '@opentelemetry/api';
import { safe, type WindowLike } from '../env.js';
import { serverTraceparent } from './server-timing.js';

const MILESTONES = ['domInteractive', 'domContentLoadedEventEnd', 'domComplete', 'loadEventEnd'] as const;

/**
 * `url`: the page URL as recorded (redacted); `ended` is given the span's context (the page's web vitals go
 * in its trace). Returns the function that stops waiting for the load.
 */
export function recordDocumentLoad(
  tracer: Tracer,
  win: WindowLike,
  url: string | undefined,
  setTimer: (fn: () => void) => void,
  ended?: (span: SpanContext) => void,
): () => void {
  const perf = safe(() => win.performance);
  if (!perf || typeof perf.getEntriesByType !== 'function') return () => undefined;
  let done = false;
  const emit = (): void => {
    if (done) return;
    done = true;
    const nav = perf.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const origin = perf.timeOrigin;
    const end = origin + (nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : perf.now());
    const attributes: Attributes = {};
    if (url) attributes['url.full'] = url;
    if (nav?.responseStatus) attributes['http.response.status_code'] = nav.responseStatus;
    const links: Link[] = [];
    const server = serverTraceparent(nav);
    if (server) {
      links.push({
        context: { traceId: server.traceId, spanId: server.spanId, traceFlags: server.traceFlags, isRemote: true },
        attributes: { 'isotel.link.type': 'server' },
      });
      attributes['isotel.server.trace_id'] = server.traceId;
    }
    const span = tracer.startSpan('documentLoad', { startTime: origin + (nav?.startTime ?? 0), attributes, links }, ROOT_CONTEXT);
    if (nav) for (const m of MILESTONES) if (nav[m] > 0) span.addEvent(m, origin + nav[m]);
    span.end(end);
    ended?.(span.spanContext());
  };
  // loadEventEnd is set after the load handlers ran: wait for the next task.
  const onLoad = (): void => setTimer(emit);
  if (safe(() => win.document?.readyState) === 'complete') setTimer(emit);
  else win.addEventListener('load', onLoad);
  return () => {
    done = true;
    win.removeEventListener('load', onLoad);
  };
}
