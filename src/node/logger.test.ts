import { describe, it, expect } from 'vitest';
import { useLoggerTestBed } from './logger-testing.js';

// Records, levels, repairs, redaction, close and health. Spans and correlation ids: logger-spans.test.ts;
// traced(): logger-traced.test.ts.
const { make, readLogs } = useLoggerTestBed();

describe('configureLogger', () => {
  it('writes OTel-shaped JSON lines with resource, severity and a record id', async () => {
    const log = await make();
    log.info('Application started', { user_id: 'user123' });
    await log.flush();
    const [r] = readLogs();
    expect(r.body).toBe('Application started');
    expect(r.severity_text).toBe('INFO');
    expect(r.severity_number).toBe(9);
    expect(r.attributes).toEqual({ user_id: 'user123' });
    expect(r.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(r.record_id).toMatch(/^[0-9A-Z]{24}$/);
    expect(r.resource['service.name']).toBe('unit');
    expect(r.resource['service.version']).toBe('9.9.9');
    expect(r.resource['telemetry.sdk.name']).toBe('isotel');
    expect(typeof r.resource['host.name']).toBe('string');
    expect(r.resource['process.pid']).toBe(process.pid);
    expect(r.trace_id).toBeUndefined();
  });

  it('drops records below the configured level', async () => {
    const log = await make({ log_level: 'WARNING' });
    log.debug('no');
    log.info('no');
    log.warn('yes');
    log.fatal('yes too');
    await log.flush();
    expect(readLogs().map((r) => r.severity_text)).toEqual(['WARN', 'FATAL']);
  });

  it('never throws into the caller for hostile inputs, and counts each repair', async () => {
    const log = await make({ limits: { max_attribute_value_length: 1000, max_attributes: 128, max_body_length: 1500, max_depth: 8 } });
    const circular: Record<string, unknown> = {};
    circular.me = circular;
    const throwing = Object.defineProperty({}, 'bad', { enumerable: true, get: () => { throw new Error('getter'); } });
    const huge = 'y'.repeat(10 * 1024 * 1024);
    expect(() => {
      log.info('circular', { circular });
      log.info('bigint', { n: 10n ** 30n });
      log.info('symbol', { s: Symbol('x') });
      log.info('getter', throwing as Record<string, unknown>);
      log.info(huge, { huge });
      log.info(Symbol('body') as unknown as string);
      log.info('proxy', new Proxy({}, { ownKeys: () => { throw new Error('trap'); } }));
      log.log('not-a-level', 'mystery level');
    }).not.toThrow();
    await log.flush();
    const logs = readLogs();
    expect(logs).toHaveLength(8);
    const big = logs.find((r) => r.body !== 'circular' && typeof r.body === 'string' && r.body.startsWith('yyy'))!;
    // Bodies are cut at limits.max_body_length, attribute values at max_attribute_value_length.
    expect((big.body as string).slice(0, 1501)).toBe('y'.repeat(1500) + '…');
    expect((big.attributes.huge as string).slice(0, 1001)).toBe('y'.repeat(1000) + '…');
    const counters = log.health().counters;
    expect(counters['attributes.circular']).toBe(1);
    expect(counters['attributes.truncated']).toBeGreaterThanOrEqual(2);
    expect(counters['attributes.getter_threw']).toBe(1);
    expect(counters['logs.unknown_level']).toBe(1);
  });

  it('redacts secrets before anything is written', async () => {
    const log = await make();
    log.info('login', { user: 'ann', password: 'hunter2', headers: { authorization: 'Bearer abc.def' } });
    await log.flush();
    const [r] = readLogs();
    expect(r.attributes.user).toBe('ann');
    expect(r.attributes.password).toBe('[REDACTED]');
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(JSON.stringify(r)).not.toContain('abc.def');
  });

  it('adds exception attributes when an Error is logged', async () => {
    const log = await make();
    log.error(new TypeError('bad input'));
    log.error('request failed', { error: new Error('socket hang up') });
    await log.flush();
    const [a, b] = readLogs();
    expect(a.body).toBe('bad input');
    expect(a.attributes['exception.type']).toBe('TypeError');
    expect(b.attributes['exception.message']).toBe('socket hang up');
  });

  it('close() delivers everything, is idempotent, and later calls are counted no-ops', async () => {
    const log = await make();
    for (let i = 0; i < 5000; i++) log.info('bulk', { i });
    await Promise.all([log.close(), log.close()]);
    expect(readLogs()).toHaveLength(5000);
    expect(() => log.info('after close')).not.toThrow();
    expect(log.health().counters['logs.after_close']).toBe(1);
  });

  it('health() reports each backend', async () => {
    const log = await make();
    log.info('x');
    await log.flush();
    const h = log.health();
    expect(h.status).toBe('healthy');
    expect(h.backends).toHaveLength(1);
    expect(h.backends[0].delivered).toBe(1);
  });
});
