import { describe, it, expect } from 'vitest';
import { sanitizeAttributes, sanitizeValue, bytesToBase64, DEFAULT_SANITIZE_LIMITS } from './sanitize.js';

function counter() {
  const counts: Record<string, number> = {};
  return { counts, count: (name: string, n = 1) => void (counts[name] = (counts[name] ?? 0) + n) };
}

describe('sanitizeAttributes', () => {
  it('copies flat primitives unchanged', () => {
    const { attributes } = sanitizeAttributes({ a: 'x', b: 1, c: true, d: null });
    expect(attributes).toEqual({ a: 'x', b: 1, c: true, d: null });
  });

  it('replaces circular references and counts them', () => {
    const c = counter();
    const o: Record<string, unknown> = { name: 'o' };
    o.self = o;
    const { attributes } = sanitizeAttributes({ o }, DEFAULT_SANITIZE_LIMITS, c.count);
    expect(attributes).toEqual({ o: { name: 'o', self: '[Circular]' } });
    expect(c.counts['attributes.circular']).toBe(1);
  });

  it('keeps a shared (non-circular) object twice', () => {
    const shared = { v: 1 };
    expect(sanitizeAttributes({ a: shared, b: shared }).attributes).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });

  it('turns BigInt, Symbol, functions and non-finite numbers into strings', () => {
    const c = counter();
    const { attributes } = sanitizeAttributes(
      { big: 2n ** 70n, sym: Symbol('s'), fn: function named() {}, nan: NaN, inf: -Infinity },
      DEFAULT_SANITIZE_LIMITS,
      c.count,
    );
    expect(attributes).toEqual({
      big: '1180591620717411303424',
      sym: 'Symbol(s)',
      fn: '[Function named]',
      nan: 'NaN',
      inf: '-Infinity',
    });
    expect(c.counts['attributes.symbol']).toBe(1);
  });

  it('survives getters that throw, at the top and nested', () => {
    const c = counter();
    const bad = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('boom'); } });
    const { attributes } = sanitizeAttributes({ ok: 1, nested: bad }, DEFAULT_SANITIZE_LIMITS, c.count);
    expect(attributes).toEqual({ ok: 1, nested: { x: '[Getter threw]' } });
    const top = sanitizeAttributes(bad, DEFAULT_SANITIZE_LIMITS, c.count);
    expect(top.attributes).toEqual({ x: '[Getter threw]' });
    expect(c.counts['attributes.getter_threw']).toBe(2);
  });

  it('survives a Proxy whose traps throw', () => {
    const c = counter();
    const p = new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } });
    const { attributes } = sanitizeAttributes(p, DEFAULT_SANITIZE_LIMITS, c.count);
    expect(attributes['isotel.attributes_error']).toBe('no keys');
  });

  it('truncates a 10 MB string to the limit and counts it', () => {
    const c = counter();
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const { attributes } = sanitizeAttributes({ huge }, DEFAULT_SANITIZE_LIMITS, c.count);
    const v = attributes.huge as string;
    expect(v.length).toBeLessThan(DEFAULT_SANITIZE_LIMITS.maxStringLength + 64);
    expect(v.startsWith('x'.repeat(100))).toBe(true);
    expect(v).toContain('[truncated');
    expect(c.counts['attributes.truncated']).toBe(1);
  });

  it('does not cut a surrogate pair when truncating', () => {
    const s = 'a'.repeat(9) + '😀' + 'b'.repeat(10);
    const v = sanitizeValue(s, { ...DEFAULT_SANITIZE_LIMITS, maxStringLength: 10 }) as string;
    expect(v.startsWith('a'.repeat(9) + '…')).toBe(true);
  });

  it('limits depth and counts', () => {
    const c = counter();
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const { attributes } = sanitizeAttributes({ deep }, { ...DEFAULT_SANITIZE_LIMITS, maxDepth: 3 }, c.count);
    expect(JSON.stringify(attributes)).toBe('{"deep":{"d":{"d":"[MaxDepth]"}}}');
    expect(c.counts['attributes.max_depth']).toBe(1);
  });

  it('drops attributes beyond the maximum count and reports how many', () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    const r = sanitizeAttributes(many, { ...DEFAULT_SANITIZE_LIMITS, maxAttributes: 128 });
    expect(Object.keys(r.attributes)).toHaveLength(128);
    expect(r.dropped).toBe(72);
  });

  it('never assigns __proto__ or constructor keys', () => {
    const c = counter();
    const input = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "ok": 2}') as unknown;
    const { attributes } = sanitizeAttributes(input, DEFAULT_SANITIZE_LIMITS, c.count);
    expect(attributes).toEqual({ ok: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(c.counts['attributes.forbidden_key']).toBe(2);
  });

  it('converts Dates, Errors, Maps, Sets, typed arrays and undefined', () => {
    const { attributes } = sanitizeAttributes({
      d: new Date('2025-01-02T03:04:05.678Z'),
      e: new TypeError('bad'),
      m: new Map([['k', 1]]),
      s: new Set([1, 2]),
      b: new Uint8Array([1, 2, 3, 250]),
      u: undefined,
    });
    expect(attributes).toEqual({
      d: '2025-01-02T03:04:05.678Z',
      e: 'TypeError: bad',
      m: { k: 1 },
      s: [1, 2],
      b: Buffer.from([1, 2, 3, 250]).toString('base64'),
    });
  });

  it('accepts a non-object as attributes without throwing', () => {
    expect(sanitizeAttributes('text').attributes).toEqual({ value: 'text' });
    expect(sanitizeAttributes(undefined).attributes).toEqual({});
  });
});

describe('bytesToBase64', () => {
  it('matches Buffer for every length mod 3', () => {
    for (let n = 0; n < 20; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});
