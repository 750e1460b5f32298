/**
 * A page bundle for e2e/browser-sdk.test.ts, with `isotel/browser/zone`: the app starts a span with the
 * OpenTelemetry API (the global tracer provider isotel registered) and makes calls inside it.
 * `checkContext()` reports which span is active after `await fetch`, in an XHR `onload`, in a
 * `fetch().then` and in a `setTimeout` callback, and the trace of the records logged there: zone.js must
 * carry the app's span through all four (the zone-free default keeps it only in withSpan's await chain).
 */
import { context, trace } from '@opentelemetry/api';
import { init } from '../../src/browser/zone.js';

interface Seen {
  body: unknown;
  traceId?: string;
  spanId?: string;
}

const seen: Seen[] = [];
const telemetry = init({
  endpoint: `${location.origin}/ingest`,
  serviceName: 'browser-e2e-context',
  // Log calls only: events (session.start, browser.web_vital) are not made in the app's span.
  beforeSend: (r) => (r.event_name || seen.push({ body: r.body, traceId: r.trace_id, spanId: r.span_id }), r),
});
const activeSpanId = (): string | undefined => trace.getSpan(context.active())?.spanContext().spanId;

async function checkContext(): Promise<{ spanId: string; traceId: string; active: Record<string, string | undefined>; logs: Seen[] }> {
  return trace.getTracer('app').startActiveSpan('click', async (span) => {
    const active: Record<string, string | undefined> = {};
    const res = await fetch('/api/data?case=context-await');
    active.afterAwait = activeSpanId();
    telemetry.logger.info('after await');
    await res.text();
    await new Promise<void>((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', '/api/data?case=context-xhr');
      xhr.onload = () => {
        active.inXhrOnload = activeSpanId();
        telemetry.logger.info('in xhr onload');
        resolve();
      };
      xhr.send();
    });
    await fetch('/api/data?case=context-then').then(() => {
      active.inThen = activeSpanId();
      telemetry.logger.info('in then');
    });
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        active.inTimeout = activeSpanId();
        telemetry.logger.info('in timeout');
        void fetch('/api/data?case=context-timeout').then(() => resolve());
      }, 10),
    );
    span.end();
    const { spanId, traceId } = span.spanContext();
    return { spanId, traceId, active, logs: seen.slice() };
  });
}

(window as unknown as { checkContext: typeof checkContext }).checkContext = checkContext;
