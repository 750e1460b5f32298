import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { transform } from 'esbuild';
import { configureLogger, type Logger } from './index.js';
import type { LogRecord, SpanRecord } from '../shared/model.js';

let dir: string;
let logger: Logger | undefined;
const diagMessages: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-logger-'));
  diagMessages.length = 0;
});
afterEach(async () => {
  await logger?.close();
  logger = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function make(extra: Record<string, unknown> = {}): Promise<Logger> {
  logger = await configureLogger({
    config: {
      logger: {
        service_name: 'unit',
        service_version: '9.9.9',
        log_level: 'DEBUG',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'app.jsonl') } }],
        ...extra,
      },
    },
    watch: false,
    exitHooks: false,
    diagSink: (_level, message) => diagMessages.push(message),
  });
  return logger;
}

function readLogs(): LogRecord[] {
  const f = join(dir, 'app.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogRecord) : [];
}
function readSpans(): SpanRecord[] {
  const f = join(dir, 'app.spans.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SpanRecord) : [];
}

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

  it('gives records inside withSpan the span ids across await, timers and Promise.all', async () => {
    const log = await make();
    let spanTrace = '';
    await log.withSpan('data_processing', { batch_size: 100 }, async (span) => {
      spanTrace = span.spanContext().traceId;
      log.info('before await');
      await new Promise((r) => setTimeout(r, 5));
      log.info('after timer');
      await Promise.all([1, 2, 3].map(async (i) => {
        await new Promise((r) => setImmediate(r));
        log.info(`in parallel ${i}`);
      }));
      setTimeout(() => log.info('in a timer callback'), 1);
      await new Promise((r) => setTimeout(r, 10));
    });
    log.info('outside');
    await log.flush();
    const logs = readLogs();
    const inside = logs.filter((r) => r.body !== 'outside');
    expect(inside).toHaveLength(6);
    for (const r of inside) expect(r.trace_id).toBe(spanTrace);
    expect(logs.find((r) => r.body === 'outside')?.trace_id).toBeUndefined();
    const [span] = readSpans();
    expect(span.name).toBe('data_processing');
    expect(span.trace_id).toBe(spanTrace);
    expect(span.attributes).toEqual({ batch_size: 100 });
    expect(inside[0].span_id).toBe(span.span_id);
  });

  it('nests spans: the child span has the parent span id', async () => {
    const log = await make();
    log.withSpan('outer', undefined, () => log.withSpan('inner', undefined, () => log.info('deep')));
    await log.flush();
    const spans = readSpans();
    const outer = spans.find((s) => s.name === 'outer')!;
    const inner = spans.find((s) => s.name === 'inner')!;
    expect(inner.parent_span_id).toBe(outer.span_id);
    expect(inner.trace_id).toBe(outer.trace_id);
    expect(readLogs()[0].span_id).toBe(inner.span_id);
  });

  it('traced() wraps sync and async functions, logs start/end and duration, keeps `this`', async () => {
    const log = await make();
    const price = log.traced('calculate_price', (base: number, d: number) => base * (1 - d));
    expect(price(100, 0.15)).toBe(85);
    const slow = log.traced('slow', async (x: number) => {
      await new Promise((r) => setTimeout(r, 5));
      return x * 2;
    });
    await expect(slow(21)).resolves.toBe(42);
    const obj = { k: 3, get: log.traced('get', function (this: { k: number }) { return this.k; }) };
    expect(obj.get()).toBe(3);
    await log.flush();
    const logs = readLogs();
    const start = logs.find((r) => r.body === 'Starting operation: calculate_price')!;
    const end = logs.find((r) => r.body === 'Completed operation: calculate_price')!;
    expect(start.attributes['function.name']).toBe('calculate_price');
    expect(typeof end.attributes.duration_ms).toBe('number');
    expect(start.trace_id).toBe(end.trace_id);
    expect(readSpans().map((s) => s.name).sort()).toEqual(['calculate_price', 'get', 'slow']);
  });

  it('traced() records exceptions on the span and in the log, and rethrows the host error unchanged', async () => {
    const log = await make();
    const boom = new RangeError('too big');
    const fail = log.traced('fail', () => { throw boom; });
    expect(() => fail()).toThrow(boom);
    const failAsync = log.traced('fail_async', async () => { throw boom; });
    await expect(failAsync()).rejects.toBe(boom);
    await log.flush();
    const err = readLogs().find((r) => r.body === 'Operation failed: fail')!;
    expect(err.severity_text).toBe('ERROR');
    expect(err.attributes['exception.type']).toBe('RangeError');
    expect(err.attributes['exception.message']).toBe('too big');
    expect(String(err.attributes['exception.stacktrace'])).toContain('RangeError: too big');
    const span = readSpans().find((s) => s.name === 'fail')!;
    expect(span.status).toEqual({ code: 'ERROR', message: 'too big' });
    expect(span.events[0].name).toBe('exception');
  });

  it('traced() works as a legacy (experimentalDecorators) method decorator called by hand', async () => {
    const log = await make();
    const wrap = log.traced('Pricing.calc');
    class Pricing {
      rate = 2;
      calc(x: number) {
        return x * this.rate;
      }
    }
    const desc = Object.getOwnPropertyDescriptor(Pricing.prototype, 'calc')!;
    Object.defineProperty(Pricing.prototype, 'calc', wrap(Pricing.prototype, 'calc', desc));
    expect(new Pricing().calc(4)).toBe(8);
    await log.flush();
    expect(readSpans().map((s) => s.name)).toEqual(['Pricing.calc']);
  });

  // Vitest transforms with Oxc, which does not lower TS 5 standard decorators (Node 20 then fails to parse
  // `@`), so the decorated class lives in a fixture compiled here the way applications compile it.
  const compilers = {
    typescript: async (src: string) =>
      ts.transpileModule(src, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators: false },
      }).outputText,
    esbuild: async (src: string) =>
      (await transform(src, { loader: 'ts', format: 'esm', target: 'node20', tsconfigRaw: { compilerOptions: { experimentalDecorators: false } } })).code,
  };
  for (const [compiler, compile] of Object.entries(compilers)) {
    it(`traced() as a real @ standard decorator (compiled by ${compiler}) traces sync, async and throwing methods`, async () => {
      const js = await compile(readFileSync(join(__dirname, 'fixtures/traced-shop.ts'), 'utf8'));
      expect(js).not.toMatch(/^\s*@log\.traced/m);
      const file = join(dir, `traced-shop-${compiler}.mjs`);
      writeFileSync(file, js);
      const fixture = (await import(pathToFileURL(file).href)) as typeof import('./fixtures/traced-shop.js');
      const log = await make();
      const shop = fixture.makeShop(log);
      expect(shop.price(4)).toBe(8);
      await expect(shop.fetch(5)).resolves.toBe(7);
      expect(() => shop.sell()).toThrow(fixture.boom);
      await expect(shop.sellLater()).rejects.toBe(fixture.boom);
      expect(shop.total()).toBe(20);
      await log.flush();
      const logs = readLogs();
      const spans = readSpans();
      expect(spans.map((s) => s.name).sort()).toEqual(['Shop.fetch', 'Shop.price', 'Shop.sell', 'Shop.sellLater', 'total']);
      expect(new Set(spans.map((s) => s.trace_id)).size).toBe(5);
      const check = (spanName: string, method: string, ok: boolean) => {
        const span = spans.find((s) => s.name === spanName)!;
        expect(span.attributes['function.name']).toBe(method);
        const start = logs.find((r) => r.body === `Starting operation: ${spanName}`)!;
        const end = logs.find((r) => r.body === `${ok ? 'Completed operation' : 'Operation failed'}: ${spanName}`)!;
        for (const r of [start, end]) {
          expect(r.attributes['function.name']).toBe(method);
          expect(r.trace_id).toBe(span.trace_id);
          expect(r.span_id).toBe(span.span_id);
        }
        expect(typeof end.attributes.duration_ms).toBe('number');
        return { span, end };
      };
      for (const [spanName, method] of [['Shop.price', 'price'], ['Shop.fetch', 'fetch'], ['total', 'total']]) {
        const { span, end } = check(spanName, method, true);
        expect(span.status.code).not.toBe('ERROR');
        expect(end.severity_text).toBe('INFO');
      }
      for (const [spanName, method] of [['Shop.sell', 'sell'], ['Shop.sellLater', 'sellLater']]) {
        const { span, end } = check(spanName, method, false);
        expect(end.severity_text).toBe('ERROR');
        expect(end.attributes['exception.type']).toBe('RangeError');
        expect(end.attributes['exception.message']).toBe('no stock');
        expect(String(end.attributes['exception.stacktrace'])).toContain('RangeError: no stock');
        expect(span.status).toEqual({ code: 'ERROR', message: 'no stock' });
        const event = span.events.find((e) => e.name === 'exception')!;
        expect(event.attributes?.['exception.type']).toBe('RangeError');
        expect(event.attributes?.['exception.message']).toBe('no stock');
      }
    });
  }

  it('puts the correlation id on spans and on every record inside', async () => {
    const log = await make();
    await log.withSpan('req', undefined, async () => {
      log.info('a');
      await Promise.resolve();
      log.info('b');
    }, { correlation_id: 'req-003' });
    log.withCorrelationId('req-004', () => log.info('c'));
    await log.flush();
    const logs = readLogs();
    expect(logs.map((r) => r.attributes.correlation_id)).toEqual(['req-003', 'req-003', 'req-004']);
    expect(readSpans()[0].attributes.correlation_id).toBe('req-003');
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
