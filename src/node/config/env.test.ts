import { describe, expect, it } from 'vitest';
import { coerceScalar, substituteEnv, substituteString } from './env.js';

describe('substituteString', () => {
  const env = { HOST: 'db', EMPTY: '', PORT: '5432' };
  it.each([
    ['$HOST', 'db'],
    ['${HOST}', 'db'],
    ['${HOST}:${PORT}', 'db:5432'],
    ['postgres://$HOST/logs', 'postgres://db/logs'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING-fallback}', 'fallback'],
    ['${MISSING:-}', ''],
    ['$$HOST', '$HOST'],
    ['$${HOST}', '${HOST}'],
    ['price $5', 'price $5'],
    ['a $ b', 'a $ b'],
    ['trailing $', 'trailing $'],
  ])('%s → %s', (input, expected) => {
    expect(substituteString(input, env)).toEqual({ value: expected, errors: [] });
  });

  it('reports each unset variable without a default', () => {
    expect(substituteString('$A and ${B}', {}).errors).toEqual(['environment variable A is not set', 'environment variable B is not set']);
  });

  it('does not read inherited properties of the env object', () => {
    expect(substituteString('$toString', {}).errors).toEqual(['environment variable toString is not set']);
  });
});

describe('substituteEnv', () => {
  it('walks nested values, records whole-value references and leaves other types alone', () => {
    const input = { a: ['$X', 'x-$X'], b: { c: 1, d: true, e: null, f: '${X}' } };
    const r = substituteEnv(input, { X: '7' });
    expect(r.value).toEqual({ a: ['7', 'x-7'], b: { c: 1, d: true, e: null, f: '7' } });
    expect([...r.wholeReferences].sort()).toEqual(['a[0]', 'b.f']);
    expect(r.issues).toEqual([]);
    expect(input.a[0]).toBe('$X');
  });

  it('names the path of an unset variable', () => {
    expect(substituteEnv({ logger: { backends: [{ config: { password: '$PW' } }] } }, {}).issues).toEqual([
      { segments: ['logger', 'backends', 0, 'config', 'password'], message: 'environment variable PW is not set' },
    ]);
  });
});

describe('coerceScalar', () => {
  it('converts numbers and booleans, and refuses anything else', () => {
    expect(coerceScalar('5432', 'number')).toBe(5432);
    expect(coerceScalar('2.5', 'number')).toBe(2.5);
    expect(coerceScalar('0x10', 'number')).toBeUndefined();
    expect(coerceScalar('', 'number')).toBeUndefined();
    expect(coerceScalar('TRUE', 'boolean')).toBe(true);
    expect(coerceScalar('off', 'boolean')).toBe(false);
    expect(coerceScalar('maybe', 'boolean')).toBeUndefined();
  });
});
