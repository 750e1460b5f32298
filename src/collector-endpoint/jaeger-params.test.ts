import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT, DEFAULT_LOOKBACK_US, MAX_LIMIT, normalizeTraceId, parseGoDuration, parseSpanKind, parseTraceSearch } from './jaeger-params.js';

// Parameter names, defaults and error wording: jaegertracing/jaeger cmd/query/app/query_parser.go
// (defaultQueryLimit 100, a two-day default lookback from http_handler.go, `tag=key:value`, `tags=<JSON map>`).

const NOW = 1_700_000_000_000_000;
const parse = (qs: string) => parseTraceSearch(new URLSearchParams(qs), NOW);

function errorOf(qs: string): string {
  const p = parse(qs);
  if (p.ok) throw new Error(`expected ${qs} to be refused`);
  return p.error;
}

describe('parseGoDuration', () => {
  it('reads Go durations in microseconds', () => {
    expect(parseGoDuration('1.2s')).toBe(1_200_000);
    expect(parseGoDuration('100ms')).toBe(100_000);
    expect(parseGoDuration('500us')).toBe(500);
    expect(parseGoDuration('500µs')).toBe(500);
    expect(parseGoDuration('1h2m3s')).toBe(3_723_000_000);
    expect(parseGoDuration('1500ns')).toBe(1.5);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-1s')).toBe(-1_000_000);
  });

  it('refuses what Go refuses', () => {
    for (const bad of ['', '1', 's', '1.2', '1x', '10 ms', 'ms10']) expect(parseGoDuration(bad), bad).toBeUndefined();
  });
});

describe('parseTraceSearch', () => {
  it('applies Jaeger’s defaults: the last two days, 100 traces', () => {
    const p = parse('service=shop');
    expect(p).toStrictEqual({
      ok: true,
      value: { traceIds: [], filter: { service: 'shop', tags: {}, startMinUs: NOW - DEFAULT_LOOKBACK_US, startMaxUs: NOW, limit: DEFAULT_LIMIT } },
    });
  });

  it('reads every filter', () => {
    const tags = encodeURIComponent(JSON.stringify({ 'http.status_code': '500', error: 'true' }));
    const p = parse(`service=shop&operation=GET%20%2F&tags=${tags}&tag=region:eu:west&start=10&end=20&minDuration=1.2s&maxDuration=2s&limit=5`);
    expect(p.ok && p.value.filter).toStrictEqual({
      service: 'shop',
      operation: 'GET /',
      tags: { region: 'eu:west', 'http.status_code': '500', error: 'true' },
      startMinUs: 10,
      startMaxUs: 20,
      durationMinMs: 1200,
      durationMaxMs: 2000,
      limit: 5,
    });
  });

  it('caps the limit and reads trace ids in OTel width', () => {
    const p = parse(`service=shop&limit=100000&traceID=ABC&traceID=${'f'.repeat(32)}`);
    expect(p.ok && p.value.filter.limit).toBe(MAX_LIMIT);
    expect(p.ok && p.value.traceIds).toStrictEqual([`${'0'.repeat(29)}abc`, 'f'.repeat(32)]);
    expect(parse('traceID=1').ok).toBe(true); // the service is optional with trace ids
  });

  it('refuses bad parameters with a message naming the parameter', () => {
    expect(errorOf('operation=x')).toBe("parameter 'service' is required");
    expect(errorOf('service=s&start=abc')).toMatch(/^unable to parse param 'start': "abc" is not an integer/);
    expect(errorOf('service=s&end=1.5')).toMatch(/^unable to parse param 'end'/);
    expect(errorOf('service=s&limit=x')).toMatch(/^unable to parse param 'limit'/);
    expect(errorOf('service=s&limit=0')).toMatch(/^unable to parse param 'limit'/);
    expect(errorOf('service=s&minDuration=fast')).toMatch(/^unable to parse param 'minDuration': invalid duration "fast"/);
    expect(errorOf('service=s&maxDuration=1')).toMatch(/^unable to parse param 'maxDuration'/);
    expect(errorOf('service=s&minDuration=2s&maxDuration=1s')).toBe("'maxDuration' should be greater than 'minDuration'");
    expect(errorOf('service=s&tags={nope')).toMatch(/^malformed 'tags' parameter, cannot unmarshal JSON/);
    expect(errorOf('service=s&tags=[1]')).toMatch(/^malformed 'tags' parameter/);
    expect(errorOf('service=s&tags={"a":{"b":1}}')).toMatch(/^malformed 'tags' parameter: the value of "a"/);
    expect(errorOf('service=s&tag=novalue')).toBe("malformed 'tag' parameter, expecting key:value, received: novalue");
    expect(errorOf('service=s&traceID=xyz')).toMatch(/^cannot parse traceID param/);
  });
});

describe('parseSpanKind and normalizeTraceId', () => {
  it('reads lowercase span kinds, empty for all', () => {
    expect(parseSpanKind(new URLSearchParams('spanKind=server'))).toStrictEqual({ ok: true, value: 'SERVER' });
    expect(parseSpanKind(new URLSearchParams('spanKind='))).toStrictEqual({ ok: true, value: undefined });
    const bad = parseSpanKind(new URLSearchParams('spanKind=SERVER'));
    expect(!bad.ok && bad.error).toMatch(/^unable to parse param 'spanKind'/);
  });

  it('pads short ids and refuses what is not hex', () => {
    expect(normalizeTraceId('1')).toBe(`${'0'.repeat(31)}1`);
    expect(normalizeTraceId('g')).toBeUndefined();
    expect(normalizeTraceId('1'.repeat(33))).toBeUndefined();
  });
});
