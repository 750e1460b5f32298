import { describe, it, expect } from 'vitest';
import { seededRandom as mulberry32 } from './testing/seeded-random.js';
import {
  extractTraceContext,
  formatTraceparent,
  formatTracestate,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
  parseTracestate,
  updateTracestate,
  type TraceState,
} from './trace-context.js';

const T = '12345678901234567890123456789012';
const S = '1234567890123456';
const VALID = `00-${T}-${S}-01`;

// [description, header, expected {version, traceId, spanId, traceFlags} or null]
const TRACEPARENT: Array<[string, unknown, [string, string, string, number] | null]> = [
  ['spec example, sampled', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', ['00', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 1]],
  ['spec example, not sampled', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', ['00', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 0]],
  ['test-suite value', VALID, ['00', T, S, 1]],
  ['all 8 flag bits kept', `00-${T}-${S}-ff`, ['00', T, S, 255]],
  ['unknown flag bits kept', `00-${T}-${S}-09`, ['00', T, S, 9]],
  ['future version cc', `cc-${T}-${S}-01`, ['cc', T, S, 1]],
  ['future version with extra fields', `cc-${T}-${S}-01-what-the-future-will-be-like`, ['cc', T, S, 1]],
  ['future version with an empty extra field', `cc-${T}-${S}-01-`, ['cc', T, S, 1]],
  ['highest allowed version fe', `fe-${T}-${S}-00`, ['fe', T, S, 0]],
  ['leading space', ` ${VALID}`, ['00', T, S, 1]],
  ['leading tab', `\t${VALID}`, ['00', T, S, 1]],
  ['trailing space', `${VALID} `, ['00', T, S, 1]],
  ['trailing tab', `${VALID}\t`, ['00', T, S, 1]],
  ['mixed OWS both sides', `\t ${VALID} \t`, ['00', T, S, 1]],
  ['one value in an array', [VALID], ['00', T, S, 1]],
  ['version 00 with extra character', `${VALID}.`, null],
  ['version 00 with extra fields', `${VALID}-what-the-future-will-be-like`, null],
  ['future version, extra data without dash', `cc-${T}-${S}-01.what-the-future-will-be-like`, null],
  ['future version shorter than 55', `cc-${T}-${S}-1`, null],
  ['version ff', `ff-${T}-${S}-01`, null],
  ['version illegal char first', `.0-${T}-${S}-01`, null],
  ['version illegal char second', `0.-${T}-${S}-01`, null],
  ['version too long (3)', `000-${T}-${S}-01`, null],
  ['version too long (4)', `0000-${T}-${S}-01`, null],
  ['version too short', `0-${T}-${S}-01`, null],
  ['uppercase version', `CC-${T}-${S}-01`, null],
  ['trace id all zero', `00-${'0'.repeat(32)}-${S}-01`, null],
  ['trace id illegal first char', `00-.${T.slice(1)}-${S}-01`, null],
  ['trace id illegal last char', `00-${T.slice(0, 31)}.-${S}-01`, null],
  ['trace id too long', `00-${T}3-${S}-01`, null],
  ['trace id too short', `00-${T.slice(0, 31)}-${S}-01`, null],
  ['uppercase trace id', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', null],
  ['parent id all zero', `00-${T}-0000000000000000-01`, null],
  ['parent id illegal first char', `00-${T}-.234567890123456-01`, null],
  ['parent id illegal last char', `00-${T}-123456789012345.-01`, null],
  ['parent id too long', `00-${T}-12345678901234567-01`, null],
  ['parent id too short', `00-${T}-123456789012345-01`, null],
  ['uppercase parent id', `00-${T}-00F067AA0BA902B7-01`, null],
  ['flags illegal first char', `00-${T}-${S}-.0`, null],
  ['flags illegal second char', `00-${T}-${S}-0.`, null],
  ['flags uppercase', `00-${T}-${S}-0A`, null],
  ['flags non-hex', `00-${T}-${S}-0g`, null],
  ['flags too long', `00-${T}-${S}-001`, null],
  ['flags too short', `00-${T}-${S}-1`, null],
  ['underscore separators', `00_${T}_${S}_01`, null],
  ['missing separator', `00-${T}${S}-01`, null],
  ['space inside', `00- ${T}-${S}-01`, null],
  ['newline is not OWS', `\n${VALID}`, null],
  ['no-break space is not OWS', `\u00a0${VALID}`, null],
  ['empty string', '', null],
  ['two values in an array (duplicated header)', [VALID, `00-${T.slice(0, 31)}1-${S}-01`], null],
  ['two values joined by a proxy', `${VALID}, ${VALID}`, null],
  ['empty array', [], null],
  ['undefined', undefined, null],
  ['null', null, null],
  ['number', 42, null],
  ['object', { traceparent: VALID }, null],
];

describe('parseTraceparent', () => {
  it.each(TRACEPARENT)('%s', (_name, header, expected) => {
    const got = parseTraceparent(header);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toEqual({ version: expected[0], traceId: expected[1], spanId: expected[2], traceFlags: expected[3] });
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 with lowercase ids and two flag digits', () => {
    expect(formatTraceparent({ traceId: T, spanId: S, traceFlags: 1 })).toBe(VALID);
    expect(formatTraceparent({ traceId: T.toUpperCase(), spanId: 'ABCDEF0123456789', traceFlags: 0 })).toBe(
      `00-${T}-abcdef0123456789-00`,
    );
    expect(formatTraceparent({ traceId: T, spanId: S, traceFlags: 0x101 })).toBe(`00-${T}-${S}-01`);
    expect(formatTraceparent({ traceId: T, spanId: S, traceFlags: 255 })).toBe(`00-${T}-${S}-ff`);
  });

  it('downgrades a future version to 00 and drops its unknown fields', () => {
    const tp = parseTraceparent(`cc-${T}-${S}-01-what-the-future-will-be-like`);
    expect(tp).not.toBeNull();
    expect(formatTraceparent(tp!)).toBe(VALID);
  });

  it('round-trips every valid version-00 vector', () => {
    for (const [, header, expected] of TRACEPARENT) {
      if (expected === null || expected[0] !== '00') continue;
      const text = (Array.isArray(header) ? header[0] : header) as string;
      expect(formatTraceparent(parseTraceparent(header)!)).toBe(text.replace(/^[ \t]+|[ \t]+$/g, ''));
    }
  });
});

describe('isValidTraceId / isValidSpanId', () => {
  it('accept lowercase hex of the right length and reject the rest', () => {
    expect(isValidTraceId(T)).toBe(true);
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId(T.toUpperCase().replace(/\d/, 'A'))).toBe(false);
    expect(isValidTraceId(T.slice(1))).toBe(false);
    expect(isValidTraceId(`${T}0`)).toBe(false);
    expect(isValidSpanId(S)).toBe(true);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    expect(isValidSpanId('000000000000000g')).toBe(false);
    expect(isValidSpanId(T)).toBe(false);
  });
});

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
  ['tenant of 241 and system of 14 characters', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, [[`${'t'.repeat(241)}@${'v'.repeat(14)}`, '1']]],
  ['value of 256 characters', `foo=${'x'.repeat(256)}`, [['foo', 'x'.repeat(256)]]],
  ['longer than 512 characters (truncation is for sending)', `a=${'x'.repeat(250)},b=${'y'.repeat(250)},c=${'z'.repeat(250)}`, [['a', 'x'.repeat(250)], ['b', 'y'.repeat(250)], ['c', 'z'.repeat(250)]]],
  ['duplicated key', 'foo=1,foo=1', null],
  ['duplicated key, different values', 'foo=1,foo=2', null],
  ['duplicated key over two headers', ['foo=1', 'foo=2'], null],
  ['33 members', [members(1, 10), members(11, 20), members(21, 30), members(31, 33)], null],
  ['space before =', 'foo =1', null],
  ['uppercase key', 'FOO=1', null],
  ['dot in key', 'foo.bar=1', null],
  ['simple key starting with a digit', '1foo=1', null],
  ['empty system', 'foo@=1,bar=2', null],
  ['empty tenant', '@foo=1,bar=2', null],
  ['double @', 'foo@@bar=1,bar=2', null],
  ['two @', 'foo@bar@baz=1,bar=2', null],
  ['system starting with a digit', 'foo@1bar=1', null],
  ['simple key of 257 characters', ['foo=1', `${'z'.repeat(257)}=1`], null],
  ['tenant of 242 characters', ['foo=1', `${'t'.repeat(242)}@v=1`], null],
  ['system of 15 characters', ['foo=1', `t@${'v'.repeat(15)}=1`], null],
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

describe('extractTraceContext', () => {
  it('reads both headers in any letter case', () => {
    expect(extractTraceContext({ traceparent: VALID, tracestate: 'foo=1' })).toEqual({
      traceparent: { version: '00', traceId: T, spanId: S, traceFlags: 1 },
      tracestate: [['foo', '1']],
    });
    const mixed = extractTraceContext({ TraceParent: VALID, TRACESTATE: ['foo=1', 'bar=2'], host: 'x' });
    expect(mixed?.traceparent.traceId).toBe(T);
    expect(mixed?.tracestate).toEqual([['foo', '1'], ['bar', '2']]);
  });

  it('returns null (restart the trace) without a valid traceparent, whatever the tracestate', () => {
    expect(extractTraceContext({})).toBeNull();
    expect(extractTraceContext({ tracestate: 'foo=1' })).toBeNull();
    expect(extractTraceContext({ traceparent: `ff-${T}-${S}-01`, tracestate: 'foo=1' })).toBeNull();
    expect(extractTraceContext({ 'trace-parent': VALID })).toBeNull();
    expect(extractTraceContext({ traceparent: [VALID, VALID] })).toBeNull();
    expect(extractTraceContext({ traceparent: VALID, TraceParent: VALID })).toBeNull();
    expect(extractTraceContext(null as unknown as Record<string, string>)).toBeNull();
  });

  it('keeps the traceparent and drops an invalid or empty tracestate', () => {
    const bad = extractTraceContext({ traceparent: VALID, tracestate: 'foo=1,foo=2' });
    expect(bad).toEqual({ traceparent: { version: '00', traceId: T, spanId: S, traceFlags: 1 } });
    expect(bad && 'tracestate' in bad).toBe(false);
    expect(extractTraceContext({ traceparent: VALID, tracestate: '' })?.tracestate).toBeUndefined();
    expect(extractTraceContext({ traceparent: VALID, 'trace-state': 'foo=1' })?.tracestate).toBeUndefined();
  });
});

const POOL = '0123456789abcdefABCDEF-- ,,==@@\t\n*/_.zZ\u00e9\u0000\ud83d\ude00';

/** Independent regex oracle for traceparent, written from the spec's ABNF and versioning rules. */
function oracleTraceparent(s: string): [string, string, string, number] | null {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*)?$/.exec(s.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return null;
  if (/^0+$/.test(m[2]) || /^0+$/.test(m[3])) return null;
  return [m[1], m[2], m[3], parseInt(m[4], 16)];
}

/** Independent oracle for tracestate: split, trim OWS, match each member against the spec's ABNF as one regex. */
function oracleTracestate(s: string): TraceState | null {
  const out: TraceState = [];
  for (const raw of s.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (member === '') continue;
    const m =
      /^([a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})=([\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e])$/.exec(
        member,
      );
    if (!m || out.some(([k]) => k === m[1])) return null;
    out.push([m[1], m[2]]);
  }
  return out.length > 32 ? null : out;
}

describe('fuzz', () => {
  it('never throws on 5,000 random strings, and what parses is valid', () => {
    const rnd = mulberry32(20240601);
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(rnd() * 80);
      let s = '';
      for (let j = 0; j < len; j++) s += POOL[Math.floor(rnd() * POOL.length)];
      const tp = parseTraceparent(s);
      if (tp) {
        expect(isValidTraceId(tp.traceId) && isValidSpanId(tp.spanId)).toBe(true);
        expect(formatTraceparent(tp)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
      }
      const ts = parseTracestate(s);
      if (ts) expect(parseTracestate(formatTracestate(ts))).toEqual(ts);
      expect(() => extractTraceContext({ traceparent: s, tracestate: s })).not.toThrow();
      expect(() => updateTracestate(ts ?? undefined, s, s)).not.toThrow();
    }
  });

  it('agrees with a regex oracle on 3,000 one-character mutations of valid traceparents', () => {
    const rnd = mulberry32(7);
    const seeds = [VALID, `cc-${T}-${S}-01-future`, ` ${VALID}\t`, `00-${'0'.repeat(31)}1-${'0'.repeat(15)}1-00`];
    for (let i = 0; i < 3000; i++) {
      const base = seeds[i % seeds.length];
      const at = Math.floor(rnd() * base.length);
      const ch = POOL[Math.floor(rnd() * POOL.length)];
      const op = Math.floor(rnd() * 3); // replace, insert, delete
      const s = base.slice(0, at) + (op === 2 ? '' : ch) + base.slice(op === 1 ? at : at + 1);
      const got = parseTraceparent(s);
      const want = oracleTraceparent(s);
      expect(got && [got.version, got.traceId, got.spanId, got.traceFlags], JSON.stringify(s)).toEqual(want);
    }
  });

  it('agrees with a regex oracle on 3,000 one-character mutations of valid tracestates', () => {
    const rnd = mulberry32(11);
    const seeds = ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', ' a@b=x y ,\t,c*/-_9=  v', 'k=v,k2=v'];
    for (let i = 0; i < 3000; i++) {
      const base = seeds[i % seeds.length];
      const at = Math.floor(rnd() * base.length);
      const ch = POOL[Math.floor(rnd() * POOL.length)];
      const op = Math.floor(rnd() * 3);
      const s = base.slice(0, at) + (op === 2 ? '' : ch) + base.slice(op === 1 ? at : at + 1);
      expect(parseTracestate(s), JSON.stringify(s)).toEqual(oracleTracestate(s));
    }
  });
});
