import { describe, expect, it } from 'vitest';
import { cleanText, jsonText, newRepairs, sharedJsonText } from './clean.js';
import { copyCell, copyChunks, copyLine } from './copy-format.js';
import { logToRow, rowToLog } from './rows.js';
import { LOG_COLUMNS } from './schema.js';
import type { LogRecord } from '../../../shared/model.js';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyCell('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyCell('\\N')).toBe('\\\\N');
    expect(copyCell('\\.')).toBe('\\\\.');
    expect(copyCell(null)).toBe('\\N');
    expect(copyCell(1.5)).toBe('1.5');
    expect(copyLine(['x', null, 3])).toBe('x\t\\N\t3\n');
  });

  it('yields every row across chunks', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [`row ${i}`, i]);
    const chunks = [...copyChunks(rows, 64)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(100);
  });
});

describe('values PostgreSQL cannot store', () => {
  it('leaves ordinary text and JSON untouched', () => {
    const r = newRepairs();
    expect(cleanText('plain ☃ \\u0000 literal', r)).toBe('plain ☃ \\u0000 literal');
    expect(jsonText({ a: 'back\\slash \\u0000 literal', b: '😀' }, r)).toBe(JSON.stringify({ a: 'back\\slash \\u0000 literal', b: '😀' }));
    expect(r).toEqual({ nul: 0, surrogate: 0 });
  });

  it('replaces NUL and lone surrogates in JSON keys and values, counting each', () => {
    const r = newRepairs();
    expect(JSON.parse(jsonText({ 'k\u0000': ['\ud800', 'ok\udc00x'] }, r))).toEqual({ 'k\ufffd': ['\ufffd', 'ok\ufffdx'] });
    expect(r).toEqual({ nul: 1, surrogate: 2 });
  });

  it('turns undefined into JSON null', () => {
    expect(jsonText(undefined, newRepairs())).toBe('null');
  });
});

describe('log rows', () => {
  const log: LogRecord = {
    record_id: 'r1',
    timestamp: '2025-07-06T10:34:56.123456789Z',
    observed_timestamp: '2025-07-06T10:34:56.123456Z',
    severity_text: 'INFO',
    severity_number: 9,
    body: { structured: true },
    attributes: {},
    resource: { 'service.name': 'svc' },
    scope: { name: 'isotel' },
  };

  it('has one cell per column and keeps nanoseconds beside the microsecond timestamp', () => {
    const row = logToRow(log, newRepairs());
    expect(row).toHaveLength(LOG_COLUMNS.length);
    const cell = (name: string) => row[LOG_COLUMNS.findIndex((c) => c.name === name)];
    expect(cell('timestamp')).toBe('2025-07-06T10:34:56.123456Z');
    expect(cell('time_unix_nano')).toBe('1751798096123456789');
    expect(cell('observed_time_unix_nano')).toBeNull();
    expect(cell('body')).toBe('{"structured":true}');
    expect(cell('body_json')).toBe('{"structured":true}');
    expect(cell('service_name')).toBe('svc');
  });

  it('reads back what it wrote', () => {
    const row = logToRow(log, newRepairs());
    const byName = Object.fromEntries(LOG_COLUMNS.map((c, i) => [c.name, row[i]]));
    const db = { ...byName, timestamp: '2025-07-06T10:34:56.123456Z', resource: log.resource, attributes: {}, scope: log.scope };
    expect(rowToLog(db)).toStrictEqual(log);
  });

  it('keeps the resource schema URL in its column and the scope one in the scope JSON', () => {
    const withUrls: LogRecord = {
      ...log,
      resource_schema_url: 'https://opentelemetry.io/schemas/1.26.0',
      scope: { name: 'http', schema_url: 'https://opentelemetry.io/schemas/1.30.0' },
    };
    const row = logToRow(withUrls, newRepairs());
    const byName = Object.fromEntries(LOG_COLUMNS.map((c, i) => [c.name, row[i]]));
    expect(byName.resource_schema_url).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(JSON.parse(String(byName.scope))).toEqual(withUrls.scope);
    const db = { ...byName, timestamp: '2025-07-06T10:34:56.123456Z', resource: log.resource, attributes: {}, scope: withUrls.scope };
    expect(rowToLog(db)).toStrictEqual(withUrls);
  });
});

describe('resource and scope shared by the records of a batch', () => {
  it('gives the rows and repair counts of encoding each record alone', () => {
    const resource = { 'service.name': 'a\u0000b' };
    const recs = [1, 2, 3].map((i) => ({ record_id: `r${i}`, timestamp: '2025-07-06T10:34:56.123456Z', observed_timestamp: '2025-07-06T10:34:56.123456Z', severity_text: 'INFO', severity_number: 9, body: 'x', attributes: {}, resource, scope: { name: 's' } }) as LogRecord);
    const alone = newRepairs();
    const expected = recs.map((rec) => logToRow(rec, alone));
    const r = newRepairs();
    const shared = sharedJsonText(r);
    expect(recs.map((rec) => logToRow(rec, r, shared))).toEqual(expected);
    expect(r).toEqual(alone);
    expect(alone.nul).toBe(6); // service_name and resource, in each of the 3 rows
  });
});
