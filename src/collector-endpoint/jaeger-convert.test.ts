import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../shared/model.js';
import { bytesValue, intValue } from '../shared/tagged-value.js';
import { NO_SERVICE_NAME, toJaegerProcess, toJaegerTrace } from './jaeger-convert.js';

/*
 * Where each asserted shape comes from:
 * - trace {traceID, spans, processes, warnings}, span {traceID, spanID, flags, operationName, references, startTime,
 *   duration, tags, logs, processID, warnings}, reference {refType, traceID, spanID}, process {serviceName, tags},
 *   log {timestamp, fields}, key-value {key, type, value} and the types string|bool|int64|float64|binary:
 *   jaegertracing/jaeger model/json/model.go;
 * - arrays always present (never null), int64 beyond 2^53 as a string, binary as base64, processes keyed p1, p2…:
 *   jaegertracing/jaeger model/converter/json/from_domain.go;
 * - fixtures/jaeger-ui-01.json: jaegertracing/jaeger model/converter/json/fixtures/ui_01.json, adapted: ids in
 *   OTel's width (trace 32 hex, span 16 hex: 0000000000000001 → 000…0001); span warnings and the trace warning
 *   dropped (isotel has none: null); tags sorted by key, as the query service's SortTagsAndLogFields adjuster
 *   (model/adjuster/sort_tags_and_log_fields.go) leaves them; span 4's references made expressible in OTel
 *   (the parent first, then a link marked opentracing.ref_type=child_of, then a plain link → FOLLOWS_FROM);
 * - the OTel → Jaeger mapping (span.kind, otel.status_code, error, otel.status_description, otel.scope.*,
 *   w3c.tracestate, events → logs with `event`, links → references, OTLP_RESOURCE_NO_SERVICE_NAME):
 *   open-telemetry/opentelemetry-collector-contrib pkg/translator/jaeger/traces_to_jaegerproto.go.
 */

const T = '00000000000000000000000000000001';
const START = '2017-01-26T21:46:31.639875Z';

function span(over: Partial<SpanRecord>): SpanRecord {
  return {
    trace_id: T,
    span_id: '0000000000000002',
    name: 'op',
    kind: 'UNSPECIFIED',
    start_time: START,
    end_time: '2017-01-26T21:46:31.639880Z',
    duration_ms: 0.005,
    status: { code: 'UNSET' },
    attributes: {},
    events: [],
    links: [],
    resource: { 'service.name': 'service-x' },
    scope: { name: '' },
    ...over,
  };
}

describe('toJaegerTrace', () => {
  it("turns the OTel form of Jaeger's ui_01 fixture into that fixture", () => {
    const fixture: unknown = JSON.parse(readFileSync(join(__dirname, 'fixtures/jaeger-ui-01.json'), 'utf8'));
    const y = { 'service.name': 'service-y' };
    const spans = [
      span({ name: 'test-general-conversion', events: [{ name: 'some-event', time: START, attributes: {} }, { name: '', time: START, attributes: { x: 'y' } }] }),
      span({
        name: 'some-operation',
        attributes: { 'peer.service': 'service-y', 'peer.ipv4': 23456, error: true, temperature: 72.5, blob: bytesValue('AAAwOQ==') },
      }),
      span({ span_id: '0000000000000003', parent_span_id: '0000000000000002', name: 'some-operation', resource: y }),
      span({
        span_id: '0000000000000004',
        parent_span_id: '0000000000000002',
        name: 'reference-test',
        resource: y,
        links: [
          { trace_id: '000000000000000000000000000000ff', span_id: '00000000000000ff', attributes: { 'opentracing.ref_type': 'child_of' } },
          { trace_id: T, span_id: '0000000000000003', attributes: {} },
        ],
      }),
      span({ span_id: '0000000000000005', parent_span_id: '0000000000000004', name: 'preserveParentID-test', resource: y, end_time: '2017-01-26T21:46:31.639879Z' }),
    ];
    expect(toJaegerTrace(spans)).toStrictEqual(fixture);
  });

  it('maps kind, status, scope, trace state and flags to the tags the Collector translator writes', () => {
    const s = span({
      kind: 'SERVER',
      status: { code: 'ERROR', message: 'boom' },
      scope: { name: 'my-lib', version: '1.2.3' },
      trace_state: 'vendor=x',
      flags: 0x301,
      attributes: { 'http.status_code': 500 },
    });
    const [out] = toJaegerTrace([s]).spans;
    expect(out.flags).toBe(1);
    expect(out.tags).toStrictEqual([
      { key: 'error', type: 'bool', value: true },
      { key: 'http.status_code', type: 'int64', value: 500 },
      { key: 'otel.scope.name', type: 'string', value: 'my-lib' },
      { key: 'otel.scope.version', type: 'string', value: '1.2.3' },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'otel.status_description', type: 'string', value: 'boom' },
      { key: 'span.kind', type: 'string', value: 'server' },
      { key: 'w3c.tracestate', type: 'string', value: 'vendor=x' },
    ]);
    const ok = toJaegerTrace([span({ kind: 'CLIENT', status: { code: 'OK' } })]).spans[0];
    expect(ok.tags).toStrictEqual([
      { key: 'otel.status_code', type: 'string', value: 'OK' },
      { key: 'span.kind', type: 'string', value: 'client' },
    ]);
    expect(ok).not.toHaveProperty('flags');
  });

  it('keeps microseconds of nanosecond timestamps, truncated as Jaeger truncates', () => {
    const s = span({ start_time: '2025-01-01T00:00:00.000001999Z', end_time: '2025-01-01T00:00:00.001001998Z' });
    const [out] = toJaegerTrace([s]).spans;
    expect(out.startTime).toBe(1735689600000001);
    expect(out.duration).toBe(999); // 999_999 ns
  });

  it('turns the resource into the process and shares one process between spans of one resource', () => {
    const resource = { 'service.name': 'shop', 'service.version': '2.0', 'host.name': 'a' };
    const t = toJaegerTrace([span({ resource }), span({ span_id: '0000000000000009', resource: { ...resource } })]);
    expect(t.processes).toStrictEqual({
      p1: { serviceName: 'shop', tags: [{ key: 'host.name', type: 'string', value: 'a' }, { key: 'service.version', type: 'string', value: '2.0' }] },
    });
    expect(t.spans.map((s) => s.processID)).toStrictEqual(['p1', 'p1']);
    expect(toJaegerProcess({}).serviceName).toBe(NO_SERVICE_NAME);
  });

  it('writes big ints as strings, arrays and maps as JSON text, null as an empty string', () => {
    const s = span({ attributes: { big: intValue('9007199254740993'), small: intValue('-5'), arr: ['a', 1], map: { k: 'v' }, nil: null, d: 1.5 } });
    expect(toJaegerTrace([s]).spans[0].tags).toStrictEqual([
      { key: 'arr', type: 'string', value: '["a",1]' },
      { key: 'big', type: 'int64', value: '9007199254740993' },
      { key: 'd', type: 'float64', value: 1.5 },
      { key: 'map', type: 'string', value: '{"k":"v"}' },
      { key: 'nil', type: 'string', value: '' },
      { key: 'small', type: 'int64', value: -5 },
    ]);
  });

  it("puts an event's name first as the `event` field, its attributes after it sorted; a link to the parent only sets the parent's type", () => {
    const s = span({
      parent_span_id: '0000000000000001',
      events: [{ name: 'exception', time: '2017-01-26T21:46:31.639876Z', attributes: { 'exception.type': 'E', 'exception.message': 'm' } }],
      links: [{ trace_id: T, span_id: '0000000000000001', attributes: {} }],
    });
    const [out] = toJaegerTrace([s]).spans;
    expect(out.logs).toStrictEqual([
      {
        timestamp: 1485467191639876,
        fields: [
          { key: 'event', type: 'string', value: 'exception' },
          { key: 'exception.message', type: 'string', value: 'm' },
          { key: 'exception.type', type: 'string', value: 'E' },
        ],
      },
    ]);
    expect(out.references).toStrictEqual([{ refType: 'FOLLOWS_FROM', traceID: T, spanID: '0000000000000001' }]);
  });
});
