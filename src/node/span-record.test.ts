import { describe, expect, it } from 'vitest';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { toSpanRecord } from './span-record.js';

function endedSpan(attributes: Record<string, unknown>): ReadableSpan {
  let ended: ReadableSpan | undefined;
  const provider = new BasicTracerProvider({
    spanProcessors: [{ onStart() {}, onEnd: (s) => void (ended = s), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const span = provider.getTracer('t').startSpan('s');
  // Set after start, bypassing the SDK's own validation, as a custom SpanProcessor or a patched SDK could.
  Object.assign((span as unknown as { attributes: Record<string, unknown> }).attributes, attributes);
  span.end();
  return ended!;
}

const resource = { 'service.name': 'svc' };
const scope = { name: 'isotel' };

describe('toSpanRecord attributes', () => {
  it('keeps flat attributes within the limits as they are', () => {
    const rec = toSpanRecord(endedSpan({ a: 'x', n: 1, ok: true }), resource, scope);
    expect(rec.attributes).toEqual({ a: 'x', n: 1, ok: true });
  });

  it('sanitizes what is not flat or over a limit: long strings, non-finite numbers, arrays', () => {
    const rec = toSpanRecord(endedSpan({ long: 'y'.repeat(20_000), inf: Number.POSITIVE_INFINITY, list: ['a', 1] }), resource, scope);
    expect(String(rec.attributes['long'])).toMatch(/…\[truncated 3616 chars\]$/);
    expect(rec.attributes['inf']).toBe('Infinity');
    expect(rec.attributes['list']).toEqual(['a', 1]);
  });
});
