import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordIdGenerator } from '../../shared/ids.js';
import type { LogRecord } from '../../shared/model.js';
import { createPageInfo } from '../page/page-info.js';
import { quietDiag } from '../testing/fakes.js';
import { buildLogRecord, deferLogRecord, type LogContext } from './build.js';
import { createLevelLogger } from './level-logger.js';
import { createContextLogger } from './context-logger.js';

function ctx(): LogContext & { diag: ReturnType<typeof quietDiag> } {
  return {
    resource: { 'service.name': 'web' },
    scope: { name: 'isotel', version: '0.0.0' },
    page: createPageInfo({ URL: 'https://a.example/p?password=x' }, 'UA/1'),
    now: () => 1_750_000_000_123.456,
    recordId: createRecordIdGenerator(),
    diag: quietDiag(),
  };
}

describe('buildLogRecord', () => {
  it('builds a record with severity, timestamps, page attributes and a sortable id', () => {
    const r = buildLogRecord(ctx(), 'warn', 'low stock', { sku: 'A1', n: 2 });
    expect(r).toMatchObject({
      severity_text: 'WARN',
      severity_number: 13,
      body: 'low stock',
      timestamp: '2025-06-15T15:06:40.123456Z',
      attributes: { sku: 'A1', n: 2, 'url.full': 'https://a.example/p?password=[REDACTED]', 'user_agent.original': 'UA/1' },
      resource: { 'service.name': 'web' },
    });
    expect(r.record_id).toMatch(/^[0-9A-Z]{24}$/);
    expect(r.trace_id).toBeUndefined();
  });

  it('turns an Error message or an error attribute into exception.* attributes', () => {
    const a = buildLogRecord(ctx(), 'error', new TypeError('bad input'));
    expect(a.body).toBe('bad input');
    expect(a.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad input' });
    expect(String(a.attributes['exception.stacktrace'])).toMatch(/TypeError/);
    const b = buildLogRecord(ctx(), 'error', 'save failed', { err: new RangeError('too big') });
    expect(b.attributes).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'too big' });
  });

  it('sanitizes hostile input and counts the repairs', () => {
    const c = ctx();
    const circular: Record<string, unknown> = { big: 10n ** 30n };
    circular.self = circular;
    const r = buildLogRecord(c, 'info', { nested: circular }, { long: 'x'.repeat(20_000), f: () => 1 });
    expect(JSON.stringify(r)).toContain('1000000000000000000000000000000');
    expect(String(r.attributes.long)).toMatch(/truncated 3616 chars/);
    expect(c.diag.counters()['attributes.truncated']).toBe(1);
  });
});

describe('deferLogRecord', () => {
  it('reads the time, the address and the attributes at the call; builds the record later', () => {
    let now = 1_750_000_000_123.456;
    const doc = { URL: 'https://a.example/cart' };
    const c = { ...ctx(), now: () => now, page: createPageInfo(doc, 'UA/1') };
    const attrs: Record<string, unknown> = { step: 1 };
    const build = deferLogRecord(c, 'info', 'checkout', attrs);
    attrs.step = 2; // the app reuses its object
    attrs.added = true;
    now += 5_000;
    doc.URL = 'https://a.example/done'; // a route change before the build
    const r = build();
    expect(r.timestamp).toBe('2025-06-15T15:06:40.123456Z');
    expect(r.attributes).toMatchObject({ step: 1, 'url.full': 'https://a.example/cart' });
    expect(r.attributes.added).toBeUndefined();
    const m = new Map<string, unknown>([['k', 'v']]);
    const fromMap = deferLogRecord(c, 'info', 'map', m);
    m.set('k', 'changed');
    expect(fromMap().attributes.k).toBe('v');
  });

  it('keeps a record whose attributes cannot be copied (a Proxy whose traps throw), and says so in it', () => {
    const c = ctx();
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } });
    const r = deferLogRecord(c, 'warn', 'hostile', hostile)();
    expect(r.body).toBe('hostile');
    expect(r.attributes['isotel.attributes_error']).toBe('no keys');
  });
});

describe('createLevelLogger', () => {
  it('makes levels below the minimum one shared no-op and never throws', () => {
    const seen: string[] = [];
    const diag = quietDiag();
    const logger = createLevelLogger('info', (level, message) => {
      if (message === 'boom') throw new Error('builder bug');
      seen.push(`${level}:${String(message)}`);
    }, diag);
    expect(logger.trace).toBe(logger.debug);
    logger.debug('hidden');
    logger.info('a');
    logger.fatal('b');
    expect(() => logger.error('boom')).not.toThrow();
    expect(seen).toEqual(['info:a', 'fatal:b']);
    expect(diag.counters()['logs.failed']).toBe(1);
  });
});

describe('createContextLogger', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => context.setGlobalContextManager(manager.enable()));
  afterAll(() => {
    context.disable();
  });

  it('carries the active span context, and keeps logging after shutdown', async () => {
    const out: LogRecord[] = [];
    const { logger, shutdown } = createContextLogger(ctx(), 'debug', (build) => out.push(build()));
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    logger.info('outside');
    await context.with(trace.setSpanContext(context.active(), spanContext), async () => {
      await Promise.resolve();
      logger.warn('inside', { step: 1 });
    });
    logger.trace('below the minimum');
    expect(out.map((r) => [r.body, r.trace_id, r.span_id, r.trace_flags])).toEqual([
      ['outside', undefined, undefined, undefined],
      ['inside', spanContext.traceId, spanContext.spanId, 1],
    ]);
    await shutdown();
    logger.info('after shutdown');
    expect(out.at(-1)?.body).toBe('after shutdown');
  });
});
