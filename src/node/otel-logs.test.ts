import { describe, it, expect } from 'vitest';
import { ROOT_CONTEXT, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { useLoggerTestBed } from './logger-testing.js';
import { W3CTraceContextPropagatorL2 } from './trace-context-propagator.js';

const bed = useLoggerTestBed();

describe('logs emitted through @opentelemetry/api-logs land in isotel', () => {
  it('a library logger gives isotel LogRecords: its scope, the active span ids, isotel resource and record ids', async () => {
    const log = await bed.make();
    const lib = logs.getLogger('some-lib', '1.2.3');
    let spanId = '';
    let traceId = '';
    await log.withSpan('work', undefined, async () => {
      await Promise.resolve();
      traceId = log.activeTraceId()!;
      spanId = log.activeSpanId()!;
      lib.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'disk almost full', attributes: { free_mb: 12 } });
    });
    lib.emit({ severityNumber: SeverityNumber.INFO2, body: 'outside' });
    log.info('isotel own');
    await log.flush();
    const [inside, outside, own] = bed.readLogs();
    expect(inside).toMatchObject({
      body: 'disk almost full',
      severity_number: 13,
      severity_text: 'WARN',
      attributes: { free_mb: 12 },
      scope: { name: 'some-lib', version: '1.2.3' },
      trace_id: traceId,
      span_id: spanId,
      trace_flags: 3, // sampled + Level 2 random-trace-id: isotel started the trace
    });
    expect(outside).toMatchObject({ body: 'outside', severity_text: 'INFO2', scope: { name: 'some-lib' } });
    expect(outside.trace_id).toBeUndefined();
    expect(inside.resource).toEqual(own.resource);
    expect(new Set([inside.record_id, outside.record_id, own.record_id]).size).toBe(3);
    expect(inside.record_id).toMatch(/\S/);
  });

  it("takes the trace ids from the record's own context over the active one", async () => {
    const log = await bed.make();
    const T = '4bf92f3577b34da6a3ce929d0e0e4736';
    const remote = new W3CTraceContextPropagatorL2().extract(ROOT_CONTEXT, { traceparent: `00-${T}-00f067aa0ba902b7-01` }, defaultTextMapGetter);
    log.withSpan('other', undefined, () => logs.getLogger('lib').emit({ severityNumber: SeverityNumber.INFO, body: 'x', context: remote }));
    await log.flush();
    expect(bed.readLogs()[0]).toMatchObject({ trace_id: T, span_id: '00f067aa0ba902b7', trace_flags: 1 });
  });

  it("applies isotel's level: below it nothing is stored and enabled() says so; unspecified severity passes", async () => {
    const log = await bed.make({ log_level: 'WARN' });
    const lib = logs.getLogger('lib');
    expect(lib.enabled({ severityNumber: SeverityNumber.DEBUG })).toBe(false);
    expect(lib.enabled({ severityNumber: SeverityNumber.ERROR })).toBe(true);
    lib.emit({ severityNumber: SeverityNumber.DEBUG, body: 'dropped' });
    lib.emit({ body: 'no severity' });
    lib.emit({ severityNumber: SeverityNumber.ERROR, body: 'kept' });
    await log.flush();
    expect(bed.readLogs().map((r) => [r.body, r.severity_number, r.severity_text])).toEqual([
      ['no severity', 0, ''],
      ['kept', 17, 'ERROR'],
    ]);
  });

  it("applies isotel's limits and redaction, and keeps structured and binary bodies", async () => {
    const log = await bed.make({ limits: { max_attribute_value_length: 16 } });
    const lib = logs.getLogger('lib');
    lib.emit({ severityNumber: SeverityNumber.INFO, body: { user: 'ann', n: [1, 2] }, attributes: { long: 'x'.repeat(40), db_password: 'hunter2' } });
    lib.emit({ severityNumber: SeverityNumber.INFO, body: new Uint8Array([1, 2, 3]) });
    await log.flush();
    const [structured, binary] = bed.readLogs();
    expect(structured.body).toEqual({ user: 'ann', n: [1, 2] });
    expect(String(structured.attributes.long).length).toBeLessThan(40);
    expect(structured.attributes.db_password).not.toBe('hunter2');
    expect(binary.body).toBe('AQID'); // base64, as isotel's own logger stores bytes (shared/sanitize.ts)
  });

  it('reads timestamps in every TimeInput form, sets event_name, and adds exception attributes without overriding given ones', async () => {
    const log = await bed.make();
    const lib = logs.getLogger('lib');
    const at = Date.UTC(2025, 6, 6, 10, 34, 56, 123);
    lib.emit({ body: 'ms', timestamp: at, eventName: 'app.checkout' });
    lib.emit({ body: 'date', timestamp: new Date(at) });
    lib.emit({ body: 'hr', timestamp: [Math.floor(at / 1000), 123_456_000] });
    lib.emit({ body: 'err', exception: new TypeError('bad input'), attributes: { 'exception.message': 'given' } });
    await log.flush();
    const [ms, date, hr, err] = bed.readLogs();
    expect(ms.timestamp).toBe('2025-07-06T10:34:56.123000Z');
    expect(ms.event_name).toBe('app.checkout');
    expect(ms.observed_timestamp).not.toBe(ms.timestamp);
    expect(date.timestamp).toBe('2025-07-06T10:34:56.123000Z');
    expect(hr.timestamp).toBe('2025-07-06T10:34:56.123456Z');
    expect(err.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'given' });
    expect(err.attributes['exception.stacktrace']).toContain('bad input');
  });

  it('a logger a library got before configureLogger delivers once isotel registers; nothing throws after close', async () => {
    const early = logs.getLogger('early-lib');
    const log = await bed.make();
    early.emit({ severityNumber: SeverityNumber.INFO, body: 'late binding' });
    await log.flush();
    expect(bed.readLogs().map((r) => [r.body, r.scope.name])).toEqual([['late binding', 'early-lib']]);
    await log.close();
    expect(() => early.emit({ severityNumber: SeverityNumber.INFO, body: 'after close' })).not.toThrow();
    expect(() => logs.getLogger('x').emit({ body: 'after close' })).not.toThrow();
    expect(bed.readLogs()).toHaveLength(1);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('never throws on hostile input: a throwing attribute getter is counted, the record still stored', async () => {
    const log = await bed.make();
    const attributes = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } });
    expect(() => logs.getLogger('lib').emit({ body: 'hostile', attributes })).not.toThrow();
    await log.flush();
    expect(bed.readLogs().map((r) => r.body)).toEqual(['hostile']);
  });
});
