import { describe, expect, it } from 'vitest';
import type { WindowLike } from './env.js';
import { init } from './index.js';
import { createSoloLock } from './lock/sender-lock.js';
import { createMemoryStore } from './queue/memory-store.js';
import { fakeServer, quietDiag } from './testing/fakes.js';
import type { LogRecord } from './types.js';

/** A page without fetch or XHR to instrument: enough for spans and logs. */
function fakeWindow(): WindowLike {
  return Object.assign(new EventTarget(), { location: { href: 'https://shop.example.com/' }, document: { visibilityState: 'visible' } });
}

describe('isotel/browser init (zone-free)', () => {
  // The session.start event is left out: it is the subject of page/session.test.ts.
  it('offers startSpan/withSpan/getActiveSpan, and logs inside the span carry its ids, after an await too', async () => {
    const seen: LogRecord[] = [];
    const telemetry = init(
      { endpoint: 'https://ingest.example.com', serviceName: 'shop-web', beforeSend: (r) => (r.event_name || seen.push(r), r) },
      { win: fakeWindow(), store: createMemoryStore(), request: fakeServer().request, beacon: null, lock: createSoloLock(), diag: quietDiag() },
    );
    const span = telemetry.startSpan('checkout');
    await telemetry.withSpan(span, async () => {
      expect(telemetry.getActiveSpan()).toBe(span);
      telemetry.logger.info('before await');
      await new Promise((r) => setTimeout(r, 1));
      telemetry.logger.info('after await');
    });
    span.end();
    telemetry.logger.info('outside');
    expect(telemetry.getActiveSpan()).toBeUndefined();
    await Promise.resolve(); // the calls' records are built in a microtask
    const { traceId, spanId } = span.spanContext();
    expect(seen.map((r) => [r.body, r.trace_id, r.span_id])).toEqual([
      ['before await', traceId, spanId],
      ['after await', traceId, spanId],
      ['outside', undefined, undefined],
    ]);
    await telemetry.shutdown();
  });

  it('with invalid options: a no-op telemetry whose span API still runs the function', () => {
    const telemetry = init({ endpoint: '', serviceName: '' }, { win: fakeWindow(), diag: quietDiag() });
    const span = telemetry.startSpan('x');
    expect(span.isRecording()).toBe(false);
    expect(telemetry.withSpan(span, () => 3)).toBe(3);
    expect(telemetry.health().lastError).toMatch(/endpoint|serviceName/);
  });
});
