import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../shared/model.js';
import { newestFirst, positionOf, searchLogs, words, type LogFilter } from './log-search.js';

function log(id: string, timestamp: string, over: Partial<LogRecord> = {}): LogRecord {
  return {
    record_id: id,
    timestamp,
    observed_timestamp: timestamp,
    severity_text: 'INFO',
    severity_number: 9,
    body: 'payment accepted',
    attributes: {},
    resource: { 'service.name': 'shop' },
    scope: { name: 's' },
    ...over,
  };
}

const filter = (over: Partial<LogFilter> = {}): LogFilter => ({ attributes: {}, limit: 10, ...over });
const ids = (rs: LogRecord[]) => rs.map((r) => r.record_id);

describe('searchLogs', () => {
  const logs = [
    log('a', '2025-01-01T00:00:01.000000Z', { severity_number: 17, severity_text: 'ERROR', body: 'Payment DECLINED: card expired', trace_id: 'f'.repeat(32) }),
    log('b', '2025-01-01T00:00:02.000000Z', { attributes: { 'http.status_code': 500, ok: false } }),
    log('c', '2025-01-01T00:00:02.000000Z', { resource: { 'service.name': 'db', env: 'prod' }, body: { text: 'payment' } }),
    log('d', '2025-01-01T00:00:02.000000500Z', { severity_number: 13 }),
    log('e', '2025-01-01T00:00:03.000000Z', { severity_number: 0, body: 'ünïcode wörds, payment' }),
  ];

  it('returns every record newest first: nanoseconds, then record id descending', () => {
    expect(ids(searchLogs(logs, filter()))).toStrictEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('filters by service, severity, time, trace id and attribute', () => {
    expect(ids(searchLogs(logs, filter({ service: 'db' })))).toStrictEqual(['c']);
    expect(ids(searchLogs(logs, filter({ severityMin: 13 })))).toStrictEqual(['d', 'a']);
    expect(ids(searchLogs(logs, filter({ severityMax: 12 })))).toStrictEqual(['e', 'c', 'b']);
    // d's nanoseconds are truncated: it is at microsecond ...02.000000, inside an end bound of that microsecond.
    expect(ids(searchLogs(logs, filter({ startUs: 1735689602000000, endUs: 1735689602000000 })))).toStrictEqual(['d', 'c', 'b']);
    expect(ids(searchLogs(logs, filter({ traceId: 'f'.repeat(32) })))).toStrictEqual(['a']);
    expect(ids(searchLogs(logs, filter({ attributes: { 'http.status_code': '500', ok: 'false' } })))).toStrictEqual(['b']);
    expect(ids(searchLogs(logs, filter({ attributes: { env: 'prod' } })))).toStrictEqual(['c']);
  });

  it('matches every word of the text in string bodies only, case-insensitively', () => {
    expect(ids(searchLogs(logs, filter({ text: 'payment' })))).toStrictEqual(['e', 'd', 'b', 'a']);
    expect(ids(searchLogs(logs, filter({ text: 'declined CARD' })))).toStrictEqual(['a']);
    expect(ids(searchLogs(logs, filter({ text: 'WÖRDS' })))).toStrictEqual(['e']);
    expect(ids(searchLogs(logs, filter({ text: 'declined nothing' })))).toStrictEqual([]);
  });

  it('continues strictly after a position, ties on time broken by record id', () => {
    const page1 = searchLogs(logs, filter({ limit: 2 }));
    expect(ids(page1)).toStrictEqual(['e', 'd']);
    const page2 = searchLogs(logs, filter({ limit: 2, after: positionOf(page1[1]) }));
    expect(ids(page2)).toStrictEqual(['c', 'b']);
    expect(ids(searchLogs(logs, filter({ limit: 2, after: positionOf(page2[1]) })))).toStrictEqual(['a']);
  });
});

describe('words and positions', () => {
  it('splits on everything but letters and digits', () => {
    expect(words('<script>alert(1)</script> Ünï_code')).toStrictEqual(['script', 'alert', '1', 'script', 'ünï', 'code']);
  });

  it('orders positions newest first', () => {
    expect(newestFirst({ timeNs: '2', recordId: 'a' }, { timeNs: '1', recordId: 'z' })).toBeLessThan(0);
    expect(newestFirst({ timeNs: '1', recordId: 'b' }, { timeNs: '1', recordId: 'a' })).toBeLessThan(0);
    expect(positionOf(log('x', '2025-01-01T00:00:00.000000001Z'))).toStrictEqual({ timeNs: '1735689600000000001', recordId: 'x' });
  });
});
