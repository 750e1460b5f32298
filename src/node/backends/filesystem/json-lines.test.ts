import { describe, expect, it } from 'vitest';
import type { Attributes, LogRecord } from '../../../shared/model.js';
import type { SpanRecord } from '../../../shared/model.js';
import { encodeLogChunk, logLine, logLineId, spanLine, spanLineId } from './json-lines.js';
import { attributesJson } from './json-values.js';

const base: LogRecord = {
  record_id: '01JZ3C4V5E0000000000000A',
  timestamp: '2026-11-21T10:00:00.000001Z',
  observed_timestamp: '2026-11-21T10:00:00.000001Z',
  severity_text: 'INFO',
  severity_number: 9,
  body: 'hello "world" \u2028 ✓',
  attributes: { n: 1, nested: { a: [1, 'x', null] } },
  resource: { 'service.name': 'svc' },
  scope: { name: 'isotel', version: '1' },
};

const shapes: LogRecord[] = [
  base,
  { ...base, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: 1 },
  // A trace id without a span id is allowed by the logs data model: no empty span_id may appear.
  { ...base, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', trace_flags: 0 },
  { ...base, trace_flags: 1 },
  { ...base, observed_timestamp: '2026-11-21T10:00:01.000000Z', event_name: 'browser.click', dropped_attributes_count: 2, body: { k: 'v' } },
  { ...base, severity_text: 'WARN', severity_number: 13, body: 'plain' },
  { ...base, severity_text: 'warning', severity_number: 13, body: 'plain' },
  { ...base, body: null, resource: { 'service.name': 'other' } },
  // What OTLP can carry beyond an SDK's records: schema URLs, bytes and ints beyond 2^53 (tagged values).
  {
    ...base,
    resource_schema_url: 'https://opentelemetry.io/schemas/1.26.0',
    scope: { name: 'http', schema_url: 'https://opentelemetry.io/schemas/1.30.0' },
    body: { $bytes: 'AAECAwQ=' },
    attributes: { id: { $int: '9007199254740993' }, neg: { $int: '-9007199254740993' }, m: { $map: { $int: 'x' } } },
  },
];

describe('JSON lines of log records', () => {
  it('writes each record as exactly its JSON, with only the ids it has', () => {
    for (const r of shapes) expect(JSON.parse(logLine(r))).toEqual(r);
    expect(logLine(shapes[2])).not.toContain('span_id');
  });

  it('writes the same line whatever record came before (the encoder memos are only caches)', () => {
    const alone = shapes.map((r) => logLine(r));
    for (let round = 0; round < 3; round++) {
      for (const i of [0, 0, 5, 6, 5, 1, 7, 0, 4, 8, 3, 2]) expect(logLine(shapes[i])).toBe(alone[i]);
    }
  });

  it('encodes a batch into one buffer of the same lines', () => {
    expect(encodeLogChunk(shapes).toString('utf8')).toBe(shapes.map(logLine).join(''));
  });
});

describe('record ids of lines', () => {
  const idOfLine = (line: string, idOf = logLineId) => {
    const buf = Buffer.from(line.endsWith('\n') ? line.slice(0, -1) : line);
    return idOf(buf, 0, buf.length);
  };
  const span: SpanRecord = {
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    name: 'GET /',
    kind: 'SERVER',
    start_time: '2026-11-21T10:00:00.000001Z',
    end_time: '2026-11-21T10:00:00.000002Z',
    duration_ms: 0.001,
    status: { code: 'UNSET' },
    attributes: { span_id: 'not this one' },
    events: [],
    links: [],
    resource: {},
    scope: { name: 'isotel' },
  };

  it('reads the record_id of every log line shape, also when an attribute is named record_id', () => {
    for (const r of shapes) expect(idOfLine(logLine(r))).toBe(r.record_id);
    const tricky = { ...base, attributes: { record_id: 'not this one', note: '"record_id":"nor this"' } };
    expect(idOfLine(logLine(tricky))).toBe(base.record_id);
  });

  it('reads the id of a line in the middle of a buffer, and none from a torn or foreign line', () => {
    const chunk = encodeLogChunk(shapes.slice(0, 3));
    const first = chunk.indexOf(10);
    const second = chunk.indexOf(10, first + 1);
    expect(logLineId(chunk, first + 1, second)).toBe(shapes[1].record_id);
    const line = logLine(base);
    expect(idOfLine(line.slice(0, line.length - 5))).toBeUndefined();
    expect(idOfLine('{"no":"id"}')).toBeUndefined();
  });

  it('writes a span as exactly its JSON.stringify, optional keys and odd values included', () => {
    const full: SpanRecord = {
      ...span,
      name: 'quote " and \u2028',
      status: { code: 'ERROR', message: 'bad "thing"' },
      events: [{ name: 'e', time: span.start_time, attributes: { a: 1 } }],
      links: [{ trace_id: span.trace_id, span_id: span.span_id, attributes: {} }],
      flags: 0,
      parent_span_id: '00f067aa0ba902b8',
      trace_state: 'k=v,t@x=y',
      resource_schema_url: 'https://opentelemetry.io/schemas/1.26.0',
      dropped_attributes_count: 1,
      dropped_events_count: 2,
      dropped_links_count: 3,
    };
    const odd = { ...span, duration_ms: Number.NaN, flags: undefined, parent_span_id: undefined, status: { code: 'UNSET' as const, message: undefined } };
    const otherResource = { ...span, resource: { 'service.name': 'other' }, scope: { name: 'x' } };
    for (const s of [span, full, odd, otherResource, span]) expect(spanLine(s)).toBe(JSON.stringify(s) + '\n');
  });

  it('writes a span built in another key order as the same JSON', () => {
    const { trace_id, span_id, ...rest } = span;
    const reordered = { ...rest, parent_span_id: '00f067aa0ba902b8', span_id, trace_id } as SpanRecord;
    expect(JSON.parse(spanLine(reordered))).toEqual(reordered);
  });

  it('reads trace_id-span_id of a span line, in the usual key order or any other', () => {
    expect(idOfLine(spanLine(span), spanLineId)).toBe(`${span.trace_id}-${span.span_id}`);
    const reordered = JSON.stringify({ name: span.name, span_id: span.span_id, trace_id: span.trace_id });
    expect(idOfLine(reordered, spanLineId)).toBe(`${span.trace_id}-${span.span_id}`);
    expect(idOfLine(spanLine(span).slice(0, 80), spanLineId)).toBeUndefined();
  });
});

describe('attribute JSON', () => {
  const cases: Attributes[] = [
    {},
    { a: 'x', b: 1, c: true, d: null },
    { a: 'quote " backslash \\ newline \n tab \t', b: '\u0000\u001f', c: 'lone \ud800 surrogate', d: '😀 ✓ \u2028' },
    { n: -0, big: 1e21, small: 1e-7, frac: 0.1 + 0.2, neg: -42 },
    { nested: { a: [1, 'x', null, { b: false }] }, list: ['a', 'b'] },
    { '': 'empty key', 'key "quoted"': 1, 'ключ': 'значение' },
  ];

  it('is exactly JSON.stringify for attribute maps', () => {
    for (const a of cases) expect(attributesJson(a)).toBe(JSON.stringify(a));
  });

  it('leaves out what JSON leaves out, also in the first position', () => {
    const odd = { gone: undefined, fn: () => 1, kept: 'v', sym: Symbol('s'), inf: Number.POSITIVE_INFINITY, nan: Number.NaN } as unknown as Attributes;
    expect(attributesJson(odd)).toBe(JSON.stringify(odd));
    const allGone = { a: undefined, b: undefined } as unknown as Attributes;
    expect(attributesJson(allGone)).toBe('{}');
    const withToJson = { toJSON: () => ({ replaced: true }) } as unknown as Attributes;
    expect(attributesJson(withToJson)).toBe('{"replaced":true}');
  });

  it('stays exact when one shape repeats with changing values, and when shapes alternate', () => {
    const seq: Attributes[] = [];
    for (let i = 0; i < 50; i++) {
      seq.push({ user: i % 3 === 0 ? 'same' : `user-${i}`, route: '/r', status: i, ok: i % 2 === 0 });
      seq.push({ user: 'same', route: i % 5 === 0 ? 'has "quote"' : '/r', status: i });
      if (i % 7 === 0) seq.push({ user: undefined, route: '/r' } as unknown as Attributes);
    }
    for (const a of seq) expect(attributesJson(a)).toBe(JSON.stringify(a));
  });

  it('throws where JSON.stringify throws', () => {
    expect(() => attributesJson({ big: { v: 1n } } as unknown as Attributes)).toThrow();
  });
});
