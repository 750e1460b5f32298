import { describe, it, expect } from 'vitest';
import { seededRandom as mulberry32 } from './testing/seeded-random.js';
import { SPAN_ID as S, TRACE_ID as T, VALID_TRACEPARENT as VALID, mutate } from './testing/trace-context-samples.js';
import { formatTraceparent, isValidSpanId, isValidTraceId, parseTraceparent } from './trace-context.js';

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

/** Independent regex oracle for traceparent, written from the spec's ABNF and versioning rules. */
function oracleTraceparent(s: string): [string, string, string, number] | null {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*)?$/.exec(s.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return null;
  if (/^0+$/.test(m[2]) || /^0+$/.test(m[3])) return null;
  return [m[1], m[2], m[3], parseInt(m[4], 16)];
}

describe('fuzz', () => {
  it('agrees with a regex oracle on 3,000 one-character mutations of valid traceparents', () => {
    const rnd = mulberry32(7);
    const seeds = [VALID, `cc-${T}-${S}-01-future`, ` ${VALID}\t`, `00-${'0'.repeat(31)}1-${'0'.repeat(15)}1-00`];
    for (let i = 0; i < 3000; i++) {
      const s = mutate(seeds[i % seeds.length], rnd);
      const got = parseTraceparent(s);
      const want = oracleTraceparent(s);
      expect(got && [got.version, got.traceId, got.spanId, got.traceFlags], JSON.stringify(s)).toEqual(want);
    }
  });
});
