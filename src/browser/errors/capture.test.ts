import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../shared/model.js';
import { captureErrors } from './capture.js';
import { createRateLimiter } from './rate-limit.js';

function errorEvent(error: unknown, message = 'boom'): Event {
  return Object.assign(new Event('error'), { error, message, filename: 'https://shop.example.com/app.js', lineno: 10, colno: 5 });
}

function setup() {
  const target = new EventTarget();
  let t = 0;
  const limiter = createRateLimiter(() => t);
  const reports: Array<[string, Attributes]> = [];
  const stop = captureErrors(target, (m, a) => reports.push([m, a]), limiter);
  return { target, reports, stop, advance: (ms: number) => (t += ms) };
}

describe('error capture', () => {
  it('records window errors with exception attributes and the source position', () => {
    const { target, reports } = setup();
    const err = new TypeError('x is undefined');
    target.dispatchEvent(errorEvent(err));
    expect(reports).toHaveLength(1);
    const [message, attrs] = reports[0];
    expect(message).toBe('x is undefined');
    expect(attrs).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'x is undefined',
      'code.file.path': 'https://shop.example.com/app.js',
      'code.line.number': 10,
      'isotel.error.source': 'window.error',
    });
    expect(String(attrs['exception.stacktrace'])).toContain('TypeError: x is undefined');
  });

  it('records unhandled rejections, also of non-Error values', () => {
    const { target, reports } = setup();
    target.dispatchEvent(Object.assign(new Event('unhandledrejection'), { reason: 'nope' }));
    expect(reports[0][1]).toMatchObject({ 'exception.type': 'string', 'exception.message': 'nope', 'isotel.error.source': 'unhandledrejection' });
  });

  it('records identical errors at most 5 times a minute and reports how many were suppressed', () => {
    const { target, reports, advance } = setup();
    const err = new Error('loop');
    for (let i = 0; i < 20; i++) target.dispatchEvent(errorEvent(err, 'loop'));
    target.dispatchEvent(errorEvent(new Error('other'), 'other'));
    expect(reports.map((r) => r[0])).toEqual(['loop', 'loop', 'loop', 'loop', 'loop', 'other']);
    advance(60_000);
    target.dispatchEvent(errorEvent(err, 'loop'));
    expect(reports[6][1]['isotel.suppressed_count']).toBe(15);
  });

  it('stops listening when removed', () => {
    const { target, reports, stop } = setup();
    stop();
    target.dispatchEvent(errorEvent(new Error('late')));
    expect(reports).toHaveLength(0);
  });
});
