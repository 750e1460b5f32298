import { describe, it, expect } from 'vitest';
import { decodeLogs, decodeSpans } from './index.js';
import { NOW_MS } from './fixtures/samples.js';

const limits = { nowMs: NOW_MS };
const T = '1751798096000000000';
const kv = (key: unknown, value: unknown) => ({ key, value });
const str = (s: string) => ({ stringValue: s });
const nest = (levels: number): unknown => (levels === 0 ? str('leaf') : { arrayValue: { values: [nest(levels - 1)] } });

function log(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { timeUnixNano: T, severityNumber: 9, body: str('ok'), attributes: [kv('a', str('b'))], ...extra };
}

function span(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'op',
    kind: 1,
    startTimeUnixNano: T,
    endTimeUnixNano: '1751798096500000000',
    ...extra,
  };
}

// [what is wrong, the bad record, the error after `logRecords[1]`]
const LOG_CASES: [string, unknown, string][] = [
  ['a trace id that is not hex', log({ traceId: 'x'.repeat(32) }), '.traceId: not 32 hex digits'],
  ['a trace id of 31 digits', log({ traceId: 'a'.repeat(31) }), '.traceId: not 32 hex digits'],
  ['a trace id that is a number', log({ traceId: 123 }), '.traceId: not a string'],
  ['a span id that is not hex', log({ spanId: 'zzzzzzzzzzzzzzzz' }), '.spanId: not 16 hex digits'],
  ['a time that is not digits', log({ timeUnixNano: 'abc' }), '.timeUnixNano: not a uint64 (decimal string or number)'],
  ['a negative time', log({ timeUnixNano: -5 }), '.timeUnixNano: not a uint64 (decimal string or number)'],
  ['a time before 2000', log({ timeUnixNano: '1' }), '.timeUnixNano: timestamp out of the accepted range'],
  ['a time two days ahead', log({ timeUnixNano: String(BigInt(NOW_MS + 2 * 86_400_000) * 1_000_000n) }), '.timeUnixNano: timestamp out of the accepted range'],
  ['a time beyond uint64', log({ timeUnixNano: '99999999999999999999' }), '.timeUnixNano: larger than uint64'],
  ['a fractional observed time', log({ observedTimeUnixNano: 1.5 }), '.observedTimeUnixNano: not a uint64 (decimal string or number)'],
  ['severity 25', log({ severityNumber: 25 }), '.severityNumber: not an integer 0..24'],
  ['severity -1', log({ severityNumber: -1 }), '.severityNumber: not an integer 0..24'],
  ['severity as a bare name', log({ severityNumber: 'INFO' }), '.severityNumber: not an integer 0..24'],
  ['a severity text that is a number', log({ severityText: 42 }), '.severityText: not a string'],
  ['an intValue that is not a number', log({ body: { intValue: 'x' } }), '.body.intValue: not an int64 (decimal string or integer)'],
  ['an intValue beyond int64', log({ body: { intValue: '9223372036854775808' } }), '.body.intValue: outside the int64 range'],
  ['two value kinds in one AnyValue', log({ body: { stringValue: 'a', boolValue: true } }), '.body: more than one value kind set'],
  ['a body that is a bare string', log({ body: 'plain' }), '.body: not an AnyValue object'],
  ['a boolValue that is a string', log({ body: { boolValue: 'true' } }), '.body.boolValue: not a boolean'],
  ['a doubleValue that is an object', log({ body: { doubleValue: {} } }), '.body.doubleValue: not a double'],
  ['a bytesValue that is not base64', log({ body: { bytesValue: 'not base64!' } }), '.body.bytesValue: not base64'],
  ['arrayValue.values that is not an array', log({ body: { arrayValue: { values: 'x' } } }), '.body.arrayValue.values: not an array'],
  ['a kvlistValue that is a string', log({ body: { kvlistValue: 'x' } }), '.body.kvlistValue: not an object'],
  ['attributes that are an object', log({ attributes: { a: 1 } }), '.attributes: not an array'],
  ['an attribute that is a string', log({ attributes: ['a=b'] }), '.attributes[0]: not a KeyValue object'],
  ['an attribute without a key', log({ attributes: [{ value: str('v') }] }), '.attributes[0].key: not a string'],
  ['the key __proto__', log({ attributes: [kv('ok', str('1')), kv('__proto__', str('x'))] }), '.attributes[1].key: forbidden key "__proto__"'],
  ['the key constructor', log({ attributes: [kv('constructor', str('x'))] }), '.attributes[0].key: forbidden key "constructor"'],
  ['the key prototype', log({ attributes: [kv('prototype', str('x'))] }), '.attributes[0].key: forbidden key "prototype"'],
  [
    'the key __proto__ inside a kvlist',
    log({ attributes: [kv('m', { kvlistValue: { values: [kv('__proto__', { kvlistValue: { values: [kv('polluted', str('yes'))] } })] } })] }),
    '.attributes[0].value.kvlistValue.values[0].key: forbidden key "__proto__"',
  ],
  ['a key longer than 256', log({ attributes: [kv('k'.repeat(257), str('v'))] }), '.attributes[0].key: longer than 256 characters'],
  ['an empty attribute key', log({ attributes: [kv('', str('v'))] }), '.attributes[0].key: empty'],
  ['a lone surrogate in a value', log({ attributes: [kv('s', str('a\ud800b'))] }), '.attributes[0].value.stringValue: invalid UTF-16 (lone surrogate)'],
  ['a lone surrogate in a key', log({ attributes: [kv('\udc00', str('v'))] }), '.attributes[0].key: invalid UTF-16 (lone surrogate)'],
  ['a lone surrogate in the body', log({ body: str('\ud83d') }), '.body.stringValue: invalid UTF-16 (lone surrogate)'],
  [
    'nesting deeper than 8',
    log({ attributes: [kv('deep', nest(9))] }),
    `.attributes[0].value${'.arrayValue.values[0]'.repeat(8)}.arrayValue: nested deeper than 8`,
  ],
  ['a negative droppedAttributesCount', log({ droppedAttributesCount: -1 }), '.droppedAttributesCount: not a uint32'],
  ['flags that are text', log({ flags: 'sampled' }), '.flags: not a uint32'],
  ['an event name that is a number', log({ eventName: 5 }), '.eventName: not a string'],
  ['a record that is null', null, ': not an object'],
  ['a record that is an array', [log()], ': not an object'],
];

const SPAN_CASES: [string, unknown, string][] = [
  ['a span without a trace id', span({ traceId: undefined }), '.traceId: missing'],
  ['a span with an all-zero span id', span({ spanId: '0000000000000000' }), '.spanId: missing'],
  ['a parent span id that is not hex', span({ parentSpanId: 'parent' }), '.parentSpanId: not 16 hex digits'],
  ['kind 9', span({ kind: 9 }), '.kind: not an integer 0..5'],
  ['no start time', span({ startTimeUnixNano: '0' }), '.startTimeUnixNano: missing'],
  ['an end before the start', span({ endTimeUnixNano: '1751798095000000000' }), '.endTimeUnixNano: before startTimeUnixNano'],
  ['status code 3', span({ status: { code: 3 } }), '.status.code: not an integer 0..2'],
  ['events that are an object', span({ events: {} }), '.events: not an array'],
  ['an event attribute key __proto__', span({ events: [{ name: 'e', attributes: [kv('__proto__', str('x'))] }] }), '.events[0].attributes[0].key: forbidden key "__proto__"'],
  ['a link with a bad trace id', span({ links: [{ traceId: 'nope', spanId: 'b7ad6b7169203331' }] }), '.links[0].traceId: not 32 hex digits'],
  ['a negative droppedLinksCount', span({ droppedLinksCount: -2 }), '.droppedLinksCount: not a uint32'],
];

function logsRequest(bad: unknown) {
  return { resourceLogs: [{ resource: { attributes: [kv('service.name', str('s'))] }, scopeLogs: [{ scope: { name: 'x' }, logRecords: [log(), bad] }] }] };
}

describe('malformed log records', () => {
  it.each(LOG_CASES)('rejects %s and keeps the valid sibling', (_what, bad, error) => {
    const result = decodeLogs(logsRequest(bad), limits);
    expect(result.errors).toEqual([`resourceLogs[0].scopeLogs[0].logRecords[1]${error}`]);
    expect(result.rejected).toBe(1);
    expect(result.records).toHaveLength(1);
    expect(result.records[0].body).toBe('ok');
  });

  it('never assigns a forbidden key, so no prototype is polluted', () => {
    decodeLogs(logsRequest(LOG_CASES.find(([w]) => w === 'the key __proto__ inside a kvlist')?.[1]), limits);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('malformed spans', () => {
  it.each(SPAN_CASES)('rejects %s and keeps the valid sibling', (_what, bad, error) => {
    const result = decodeSpans({ resourceSpans: [{ scopeSpans: [{ spans: [span(), bad] }] }] }, limits);
    expect(result.errors).toEqual([`resourceSpans[0].scopeSpans[0].spans[1]${error}`]);
    expect([result.rejected, result.records.length]).toEqual([1, 1]);
  });
});

describe('malformed requests', () => {
  it('says so when the body is not an OTLP object or its list is not an array', () => {
    for (const body of [null, 'text', 42, [1]]) {
      expect(decodeLogs(body, limits)).toMatchObject({ records: [], rejected: 0, errors: ['request: not an OTLP JSON object'] });
    }
    expect(decodeSpans({ resourceSpans: {} }, limits).errors).toEqual(['resourceSpans: not an array']);
  });

  it('rejects every record under a bad resource or scope and keeps the other groups', () => {
    const result = decodeLogs(
      {
        resourceLogs: [
          { resource: { attributes: [kv('__proto__', str('x'))] }, scopeLogs: [{ logRecords: [log(), log()] }] },
          { scopeLogs: [{ scope: { name: 7 }, logRecords: [log()] }, { logRecords: [log()] }] },
        ],
      },
      limits,
    );
    expect(result.errors).toEqual([
      'resourceLogs[0].resource.attributes[0].key: forbidden key "__proto__"',
      'resourceLogs[1].scopeLogs[0].scope.name: not a string',
    ]);
    expect([result.rejected, result.records.length]).toEqual([3, 1]);
  });

  it('keeps at most 20 distinct error messages and says how many more there were', () => {
    const bad = Array.from({ length: 30 }, () => log({ traceId: 'bad' }));
    const result = decodeLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: bad }] }] }, limits);
    expect(result.rejected).toBe(30);
    expect(result.errors).toHaveLength(21);
    expect(result.errors[20]).toBe('(10 more errors not shown)');
  });

  it('fails fast on invalid limits, naming the field', () => {
    expect(() => decodeLogs({}, { maxDepth: -1 })).toThrow(/maxDepth/);
  });
});
