import { describe, it, expect } from 'vitest';
import { decodeLog, decodeSpan, encodeBody, logDocument, spanDocument } from './documents.js';
import { makeLog, makeSpan } from './test-records.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
/** What Elasticsearch hands back as `_source`: the JSON text that was sent, parsed. */
const viaJson = (doc: unknown): unknown => JSON.parse(JSON.stringify(doc));

describe('log documents', () => {
  it('follow the Collector otel shape', () => {
    const doc = viaJson(logDocument(makeLog(0, TRACE))) as Record<string, unknown>;
    expect(doc['@timestamp']).toBe(makeLog(0, TRACE).timestamp);
    expect(doc.body).toEqual({ text: expect.any(String) });
    expect(doc.resource).toEqual({ attributes: expect.objectContaining({ 'service.name': 'checkout' }) });
    expect(doc).not.toHaveProperty('timestamp');
    expect(doc).toHaveProperty('scope.name', 'isotel');
  });

  it('round-trip every attribute kind and every body kind exactly, tagged values and schema URLs included', () => {
    for (let i = 0; i < 14; i++) {
      const record = makeLog(i, TRACE);
      const decoded = decodeLog(viaJson(logDocument(record)));
      expect(decoded).toStrictEqual(record);
    }
  });

  it('leave absent optional fields absent', () => {
    const { trace_id: _t, span_id: _s, trace_flags: _f, ...outside } = makeLog(1, TRACE);
    const decoded = decodeLog(viaJson(logDocument(outside)));
    expect(decoded).toStrictEqual(outside);
    expect(Object.keys(decoded ?? {})).not.toContain('trace_id');
  });

  it('refuse a source that is not one of ours', () => {
    expect(decodeLog({ message: 'foreign' })).toBeUndefined();
    expect(decodeLog('text')).toBeUndefined();
    expect(decodeLog(null)).toBeUndefined();
  });
});

describe('encodeBody', () => {
  it('puts strings in text, maps in structured and anything else in value', () => {
    expect(encodeBody('hi')).toEqual({ text: 'hi' });
    expect(encodeBody({ a: 1 })).toEqual({ structured: { a: 1 } });
    expect(encodeBody([1, 2])).toEqual({ value: [1, 2] });
    expect(encodeBody(3)).toEqual({ value: 3 });
    expect(encodeBody(false)).toEqual({ value: false });
    expect(encodeBody(null)).toEqual({ value: null });
    expect(encodeBody({ $bytes: 'AQID' })).toEqual({ value: { $bytes: 'AQID' } });
    expect(encodeBody({ $int: '9007199254740993' })).toEqual({ value: { $int: '9007199254740993' } });
    expect(encodeBody({ $map: { $int: 'x' } })).toEqual({ structured: { $map: { $int: 'x' } } });
  });
});

describe('span documents', () => {
  it('round-trip exactly, events and links included', () => {
    for (let i = 0; i < 8; i++) {
      const span = makeSpan(i, TRACE);
      expect(decodeSpan(viaJson(spanDocument(span)))).toStrictEqual(span);
    }
  });

  it('use @timestamp for the start and trace_flags for the flags', () => {
    const doc = viaJson(spanDocument(makeSpan(1, TRACE))) as Record<string, unknown>;
    expect(doc['@timestamp']).toBe(makeSpan(1, TRACE).start_time);
    expect(doc.trace_flags).toBe(1);
    expect(doc).not.toHaveProperty('flags');
    expect(doc).toHaveProperty('resource.schema_url', 'https://opentelemetry.io/schemas/1.26.0');
    expect(doc).not.toHaveProperty('resource_schema_url');
  });
});
