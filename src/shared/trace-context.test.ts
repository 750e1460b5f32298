import { describe, it, expect } from 'vitest';
import { seededRandom as mulberry32 } from './testing/seeded-random.js';
import { SPAN_ID as S, TRACE_ID as T, VALID_TRACEPARENT as VALID, FUZZ_POOL as POOL } from './testing/trace-context-samples.js';
import {
  extractTraceContext,
  formatTraceparent,
  formatTracestate,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
  parseTracestate,
  updateTracestate,
} from './trace-context.js';

// Both headers together. Each on its own, with the spec's test vectors and a regex oracle:
// trace-context-traceparent.test.ts and trace-context-tracestate.test.ts.
describe('extractTraceContext', () => {
  it('reads both headers in any letter case', () => {
    expect(extractTraceContext({ traceparent: VALID, tracestate: 'foo=1' })).toEqual({
      traceparent: { version: '00', traceId: T, spanId: S, traceFlags: 1 },
      tracestate: [['foo', '1']],
    });
    const mixed = extractTraceContext({ TraceParent: VALID, TRACESTATE: ['foo=1', 'bar=2'], host: 'x' });
    expect(mixed?.traceparent.traceId).toBe(T);
    expect(mixed?.tracestate).toEqual([['foo', '1'], ['bar', '2']]);
  });

  it('returns null (restart the trace) without a valid traceparent, whatever the tracestate', () => {
    expect(extractTraceContext({})).toBeNull();
    expect(extractTraceContext({ tracestate: 'foo=1' })).toBeNull();
    expect(extractTraceContext({ traceparent: `ff-${T}-${S}-01`, tracestate: 'foo=1' })).toBeNull();
    expect(extractTraceContext({ 'trace-parent': VALID })).toBeNull();
    expect(extractTraceContext({ traceparent: [VALID, VALID] })).toBeNull();
    expect(extractTraceContext({ traceparent: VALID, TraceParent: VALID })).toBeNull();
    expect(extractTraceContext(null as unknown as Record<string, string>)).toBeNull();
  });

  it('keeps the traceparent and drops an invalid or empty tracestate', () => {
    const bad = extractTraceContext({ traceparent: VALID, tracestate: 'foo=1,foo=2' });
    expect(bad).toEqual({ traceparent: { version: '00', traceId: T, spanId: S, traceFlags: 1 } });
    expect(bad && 'tracestate' in bad).toBe(false);
    expect(extractTraceContext({ traceparent: VALID, tracestate: '' })?.tracestate).toBeUndefined();
    expect(extractTraceContext({ traceparent: VALID, 'trace-state': 'foo=1' })?.tracestate).toBeUndefined();
  });
});

describe('fuzz', () => {
  it('never throws on 5,000 random strings, and what parses is valid', () => {
    const rnd = mulberry32(20240601);
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(rnd() * 80);
      let s = '';
      for (let j = 0; j < len; j++) s += POOL[Math.floor(rnd() * POOL.length)];
      const tp = parseTraceparent(s);
      if (tp) {
        expect(isValidTraceId(tp.traceId) && isValidSpanId(tp.spanId)).toBe(true);
        expect(formatTraceparent(tp)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
      }
      const ts = parseTracestate(s);
      if (ts) expect(parseTracestate(formatTracestate(ts))).toEqual(ts);
      expect(() => extractTraceContext({ traceparent: s, tracestate: s })).not.toThrow();
      expect(() => updateTracestate(ts ?? undefined, s, s)).not.toThrow();
    }
  });
});
