import { describe, it, expect } from 'vitest';
import { seededRandom as mulberry32 } from './testing/seeded-random.js';
import { mutate } from './testing/trace-context-samples.js';
import { formatTracestate, parseTracestate, updateTracestate, type TraceState } from './trace-context.js';

const KEY_ALL = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
const KEY_TENANT_ALL = `${KEY_ALL}@a-z0-9_-*/`;
let VALUE_ALL = '';
for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) VALUE_ALL += String.fromCharCode(c);
const members = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `bar${String(from + i).padStart(2, '0')}=${from + i}`).join(',');

const TRACESTATE: Array<[string, unknown, TraceState | null]> = [
  ['spec example, one member', 'congo=t61rcWkgMzE', [['congo', 't61rcWkgMzE']]],
  ['spec example, two members', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', [['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE']]],
  ['empty header', '', []],
  ['only empty and whitespace members', ' ,, \t,', []],
  ['OWS around commas', 'foo=1 \t , \t bar=2, \t baz=3', [['foo', '1'], ['bar', '2'], ['baz', '3']]],
  ['tabs around commas', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3', [['foo', '1'], ['bar', '2'], ['baz', '3']]],
  ['leading OWS', ' \tfoo=1', [['foo', '1']]],
  ['trailing space is OWS, not part of the value', 'foo=1 ', [['foo', '1']]],
  ['trailing tab is OWS', 'foo=1\t', [['foo', '1']]],
  ['leading spaces of a value are kept', 'foo=  1', [['foo', '  1']]],
  ['multiple headers combined in order', ['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'], [['foo', '1'], ['bar', '2'], ['rojo', '1'], ['congo', '2'], ['baz', '3']]],
  ['empty header after a value', ['foo=1', ''], [['foo', '1']]],
  ['empty header before a value', ['', 'foo=1'], [['foo', '1']]],
  ['every allowed key and value character', `${KEY_ALL}=${VALUE_ALL}`, [[KEY_ALL, VALUE_ALL]]],
  ['every allowed multi-tenant key character', `${KEY_TENANT_ALL}=${VALUE_ALL}`, [[KEY_TENANT_ALL, VALUE_ALL]]],
  ['multi-tenant key (tenant may start with a digit)', 'fw529a3039@dt=ZmFsc2U,0t@v=x', [['fw529a3039@dt', 'ZmFsc2U'], ['0t@v', 'x']]],
  ['32 members over four headers', [members(1, 10), members(11, 20), members(21, 30), members(31, 32)], members(1, 32).split(',').map((m) => m.split('=') as [string, string])],
  ['simple key of 256 characters', `foo=1,${'z'.repeat(256)}=1`, [['foo', '1'], ['z'.repeat(256), '1']]],
  ['value of 256 characters', `foo=${'x'.repeat(256)}`, [['foo', 'x'.repeat(256)]]],
  ['longer than 512 characters (truncation is for sending)', `a=${'x'.repeat(250)},b=${'y'.repeat(250)},c=${'z'.repeat(250)}`, [['a', 'x'.repeat(250)], ['b', 'y'.repeat(250)], ['c', 'z'.repeat(250)]]],
  ['duplicated key', 'foo=1,foo=1', null],
  ['duplicated key, different values', 'foo=1,foo=2', null],
  ['duplicated key over two headers', ['foo=1', 'foo=2'], null],
  ['33 members', [members(1, 10), members(11, 20), members(21, 30), members(31, 33)], null],
  ['space before =', 'foo =1', null],
  ['uppercase key', 'FOO=1', null],
  ['dot in key', 'foo.bar=1', null],
  // Level 2 grammar: a key starts with a lowercase letter or digit; '@' is a key character like the others.
  ['key starting with a digit (Level 2)', '1foo=1', [['1foo', '1']]],
  ['Level 1 multi-tenant key with a tenant of 241 and a system of 14', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, [[`${'t'.repeat(241)}@${'v'.repeat(14)}`, '1']]],
  ['longer tenant and system than Level 1 allowed (Level 2)', `${'t'.repeat(242)}@${'v'.repeat(13)}=1,t@${'v'.repeat(15)}=2`, [[`${'t'.repeat(242)}@${'v'.repeat(13)}`, '1'], [`t@${'v'.repeat(15)}`, '2']]],
  ['system starting with a digit (Level 2)', 'foo@1bar=1', [['foo@1bar', '1']]],
  ['two @ (Level 2)', 'foo@bar@baz=1,bar=2', [['foo@bar@baz', '1'], ['bar', '2']]],
  ['key ending in @ (Level 2)', 'foo@=1,bar=2', [['foo@', '1'], ['bar', '2']]],
  ['key of 256 characters with @', `${'t'.repeat(200)}@${'v'.repeat(55)}=1`, [[`${'t'.repeat(200)}@${'v'.repeat(55)}`, '1']]],
  ['key starting with @', '@foo=1,bar=2', null],
  ['key starting with _', '_foo=1', null],
  ['key starting with *', '*foo=1', null],
  ['key starting with /', '/foo=1', null],
  ['uppercase after @', 'foo@Bar=1', null],
  ['dot after @', 'foo@b.r=1', null],
  ['simple key of 257 characters', ['foo=1', `${'z'.repeat(257)}=1`], null],
  ['key with @ of 257 characters', ['foo=1', `${'t'.repeat(200)}@${'v'.repeat(56)}=1`], null],
  ['duplicated multi-tenant key', 'a@b=1,c=2,a@b=3', null],
  ['= inside a value', 'foo=bar=baz', null],
  ['empty value', 'foo=,bar=3', null],
  ['value of only spaces', 'foo=   ', null],
  ['value of 257 characters', `foo=${'x'.repeat(257)}`, null],
  ['tab inside a value', 'foo=a\tb', null],
  ['non-ASCII value', 'foo=caf\u00e9', null],
  ['member without =', 'foo=1,bar', null],
  ['empty key', '=1', null],
  ['array with a non-string', ['foo=1', 2], null],
  ['undefined', undefined, null],
  ['number', 7, null],
];

describe('parseTracestate', () => {
  it.each(TRACESTATE)('%s', (_name, header, expected) => {
    expect(parseTracestate(header)).toEqual(expected);
  });

  it('round-trips every valid vector through formatTracestate', () => {
    for (const [, header] of TRACESTATE) {
      const parsed = parseTracestate(header);
      if (parsed === null) continue;
      const back = parseTracestate(formatTracestate(parsed))!;
      const fullLength = parsed.reduce((n, [k, v]) => n + k.length + v.length + 2, -1);
      if (fullLength <= 512) expect(back).toEqual(parsed);
      else expect(parsed).toEqual(expect.arrayContaining(back)); // truncated for sending: whole entries only
    }
    const canonical = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,a@b=  x';
    expect(formatTracestate(parseTracestate(canonical)!)).toBe(canonical);
  });
});

describe('formatTracestate', () => {
  it('keeps the 32 leftmost members', () => {
    const ts: TraceState = Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v']);
    const out = formatTracestate(ts).split(',');
    expect(out).toHaveLength(32);
    expect(out[0]).toBe('k0=v');
    expect(out[31]).toBe('k31=v');
  });

  it('over 512 characters, removes entries longer than 128 first, then from the end', () => {
    const big = `big=${'b'.repeat(200)}`;
    const ts: TraceState = [['first', 'x'.repeat(100)], ['big', 'b'.repeat(200)]];
    for (let i = 0; i < 6; i++) ts.push([`m${i}`, 'y'.repeat(60)]);
    const out = formatTracestate(ts);
    expect(out).not.toContain(big);
    expect(out.length).toBeLessThanOrEqual(512);
    expect(out.startsWith(`first=${'x'.repeat(100)},m0=`)).toBe(true);
    expect(out.split(',')).toHaveLength(7); // 106 + 6 * 64 + 6 commas = 496: all small ones fit

    const many: TraceState = Array.from({ length: 20 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v'.repeat(40)]);
    const cut = formatTracestate(many);
    expect(cut.length).toBeLessThanOrEqual(512);
    expect(cut.split(',')).toHaveLength(11); // 44 chars each + comma: 11 * 45 - 1 = 494
    expect(cut.endsWith(`k10=${'v'.repeat(40)}`)).toBe(true);
  });

  it('leaves out invalid members and repeated keys instead of sending them', () => {
    const ts: TraceState = [['ok', '1'], ['Bad', '1'], ['trail', 'x '], ['eq', 'a=b'], ['crlf', 'a\r\nb'], ['ok', '2']];
    expect(formatTracestate(ts)).toBe('ok=1');
    expect(formatTracestate([])).toBe('');
  });
});

describe('updateTracestate', () => {
  it('moves an updated key to the front and keeps the order of the others', () => {
    const ts: TraceState = [['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE'], ['x', '1']];
    const next = updateTracestate(ts, 'congo', 'ucfJifl5GOE');
    expect(next).toEqual([['congo', 'ucfJifl5GOE'], ['rojo', '00f067aa0ba902b7'], ['x', '1']]);
    expect(ts[1]).toEqual(['congo', 't61rcWkgMzE']); // input untouched
    expect(updateTracestate(undefined, 'isotel', 'a')).toEqual([['isotel', 'a']]);
  });

  it('drops the rightmost member when adding a 33rd', () => {
    const ts: TraceState = Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v']);
    const next = updateTracestate(ts, 'new', 'v');
    expect(next).toHaveLength(32);
    expect(next[0][0]).toBe('new');
    expect(next[31][0]).toBe('k30');
  });

  it('ignores an invalid key or value (trailing space, =, uppercase)', () => {
    const ts: TraceState = [['a', '1']];
    expect(updateTracestate(ts, 'b', 'x ')).toBe(ts);
    expect(updateTracestate(ts, 'b', 'x=y')).toBe(ts);
    expect(updateTracestate(ts, 'B', 'x')).toBe(ts);
    expect(updateTracestate(ts, 'b', '')).toBe(ts);
  });
});

/** Independent oracle for tracestate: split, trim OWS, match each member against Level 2's ABNF as one regex. */
function oracleTracestate(s: string): TraceState | null {
  const out: TraceState = [];
  for (const raw of s.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (member === '') continue;
    const m =
      /^([a-z0-9](?:[a-z0-9_*/@]|-){0,255})=([\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e])$/.exec(
        member,
      );
    if (!m || out.some(([k]) => k === m[1])) return null;
    out.push([m[1], m[2]]);
  }
  return out.length > 32 ? null : out;
}

describe('fuzz', () => {
  it('agrees with a regex oracle on 3,000 one-character mutations of valid tracestates', () => {
    const rnd = mulberry32(11);
    const seeds = ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', ' a@b=x y ,\t,c*/-_9=  v', 'k=v,k2=v'];
    for (let i = 0; i < 3000; i++) {
      const s = mutate(seeds[i % seeds.length], rnd);
      expect(parseTracestate(s), JSON.stringify(s)).toEqual(oracleTracestate(s));
    }
  });
});
