import { describe, expect, it } from 'vitest';
import { captureConsole } from './capture.js';

function fakeConsole() {
  const out: string[] = [];
  const c: Record<string, unknown> = {
    log: (...a: unknown[]) => out.push(`log ${a.join(' ')}`),
    warn: (...a: unknown[]) => out.push(`warn ${a.join(' ')}`),
    error: (...a: unknown[]) => out.push(`error ${a.join(' ')}`),
  };
  return { c, out };
}

describe('console capture', () => {
  it('records console calls at their level and still prints them', () => {
    const { c, out } = fakeConsole();
    const records: Array<[string, string]> = [];
    captureConsole(c, (level, message) => records.push([level, message]));
    (c.log as (...a: unknown[]) => void)('cart', { items: 3 });
    (c.warn as (...a: unknown[]) => void)('slow');
    expect(records).toEqual([
      ['info', 'cart {"items":3}'],
      ['warn', 'slow'],
    ]);
    expect(out).toEqual(['log cart [object Object]', 'warn slow']);
  });

  it('does not recurse when recording logs to the console itself', () => {
    const { c, out } = fakeConsole();
    let calls = 0;
    captureConsole(c, () => {
      calls++;
      (c.warn as (m: string) => void)('[isotel warn] something');
    });
    (c.error as (m: string) => void)('boom');
    expect(calls).toBe(1);
    expect(out).toEqual(['warn [isotel warn] something', 'error boom']);
  });

  it('restores the originals, or passes through when someone wrapped console after us', () => {
    const { c } = fakeConsole();
    const original = c.log;
    const records: string[] = [];
    const restore = captureConsole(c, (_l, m) => records.push(m));
    const ours = c.warn;
    c.warn = (...a: unknown[]) => (ours as (...x: unknown[]) => void)(...a); // a later wrapper
    restore();
    expect(c.log).toBe(original);
    (c.warn as (m: string) => void)('after');
    expect(records).toEqual([]);
  });

  it('never breaks the console call when recording throws', () => {
    const { c, out } = fakeConsole();
    captureConsole(c, () => {
      throw new Error('bad');
    });
    (c.log as (m: string) => void)('still printed');
    expect(out).toEqual(['log still printed']);
  });
});
