import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../shared/model.js';
import { encodeLogs, expandLines, logLine } from './json-lines.js';

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
];

describe('JSON lines of log records', () => {
  it('writes each record as exactly its JSON, with only the ids it has', () => {
    for (const r of shapes) expect(JSON.parse(logLine(r))).toEqual(r);
    expect(logLine(shapes[2])).not.toContain('span_id');
  });

  it('assembles compact batches into the same lines', () => {
    const c = encodeLogs(shapes);
    const { buf, ends } = expandLines(c, Buffer.alloc(16));
    expect(buf.subarray(0, ends[ends.length - 1]).toString('utf8')).toBe(shapes.map(logLine).join(''));
    expect(c.bytes).toBe(ends[ends.length - 1]);
  });
});
