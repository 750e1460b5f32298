import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './log-cursor.js';
import { parseLogQuery } from './logs-params.js';

const parse = (query: string) => parseLogQuery(new URLSearchParams(query));

describe('GET /api/logs parameters', () => {
  it('reads every filter', () => {
    const cursor = encodeCursor({ timeNs: '1735689600000000001', recordId: 'r-1' });
    expect(parse(`service=shop&severity_min=13&severity_max=ERROR&start=1735689600000000&end=2025-01-01T01:00:00.5%2B01:00&trace_id=ABC&attr.http.route=%2Fx&attr.ok=true&q=card+declined&limit=5&cursor=${cursor}`)).toStrictEqual({
      ok: true,
      value: {
        service: 'shop',
        severityMin: 13,
        severityMax: 20,
        startUs: 1735689600000000,
        endUs: 1735689600500000,
        traceId: `${'0'.repeat(29)}abc`,
        attributes: { 'http.route': '/x', ok: 'true' },
        text: 'card declined',
        limit: 5,
        after: { timeNs: '1735689600000000001', recordId: 'r-1' },
      },
    });
  });

  it('defaults to every record, 100 a page', () => {
    expect(parse('')).toStrictEqual({ ok: true, value: { attributes: {}, limit: 100 } });
  });

  it('reads severity names as their OpenTelemetry ranges', () => {
    expect(parse('severity_min=warn&severity_max=WARN')).toMatchObject({ value: { severityMin: 13, severityMax: 16 } });
    expect(parse('severity_min=WARNING&severity_max=critical')).toMatchObject({ value: { severityMin: 13, severityMax: 24 } });
    expect(parse('severity_min=0&severity_max=24')).toMatchObject({ value: { severityMin: 0, severityMax: 24 } });
  });

  it('refuses bad input with an error naming the parameter', () => {
    const cases: [string, RegExp][] = [
      ['severity_min=loud', /^parameter 'severity_min': "loud" is neither/],
      ['severity_max=25', /^parameter 'severity_max'/],
      ['severity_min=ERROR&severity_max=WARN', /^parameter 'severity_max' is below 'severity_min'$/],
      ['start=yesterday', /^parameter 'start'/],
      ['end=2025-13-01T00:00:00Z', /^parameter 'end'/],
      ['start=20&end=10', /^parameter 'end' is before 'start'$/],
      ['trace_id=xyz', /^parameter 'trace_id'/],
      ['limit=0', /^parameter 'limit'/],
      ['limit=1001', /^parameter 'limit'/],
      ['q=%3C%3E!', /^parameter 'q'.*no word/],
      [`q=${'a'.repeat(1001)}`, /^parameter 'q' is longer/],
      ['cursor=nonsense', /^parameter 'cursor' is not a cursor/],
      ['cursor=%3D%3D', /^parameter 'cursor'/],
      ['sevrity_min=1', /^parameter 'sevrity_min' is unknown/],
      ['attr.=1', /^parameter 'attr\.'/],
      ['attr.a=1&attr.a=2', /^parameter 'attr\.a' is given more than once$/],
      ['service=a&service=b', /^parameter 'service' is given more than once$/],
    ];
    for (const [query, error] of cases) expect(parse(query), query).toStrictEqual({ ok: false, error: expect.stringMatching(error) });
  });
});

describe('cursors', () => {
  it('round-trip a position, and refuse anything else', () => {
    const p = { timeNs: '1', recordId: 'é"\u0000' };
    expect(decodeCursor(encodeCursor(p))).toStrictEqual(p);
    expect(decodeCursor(Buffer.from('{"t":1,"id":"a"}').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"t":"1","id":""}').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('[]').toString('base64url'))).toBeUndefined();
    expect(decodeCursor('a+b')).toBeUndefined();
  });
});
