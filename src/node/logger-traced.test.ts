import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { transform } from 'esbuild';
import { useLoggerTestBed } from './logger-testing.js';

const bed = useLoggerTestBed();
const { make, readLogs, readSpans } = bed;

describe('configureLogger', () => {
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
      const file = join(bed.dir, `traced-shop-${compiler}.mjs`);
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
});
