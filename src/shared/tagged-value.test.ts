import { describe, it, expect } from 'vitest';
import type { LogRecord } from './model.js';
import { decodeLogs, encodeLogsExact } from './otlp/index.js';
import { isOpaqueTag, mapValue, readTagged } from './tagged-value.js';

const NOW_MS = Date.parse('2025-07-06T12:00:00Z');
const kv = (key: string, value: object) => ({ key, value });

function roundTrip(value: object): { model: unknown; wire: unknown } {
  const request = {
    resourceLogs: [{ resource: {}, scopeLogs: [{ scope: { name: 's' }, logRecords: [{ timeUnixNano: '1751798096000000000', attributes: [kv('v', value)] }] }] }],
  };
  const decoded = decodeLogs(request, { nowMs: NOW_MS });
  expect(decoded.errors).toEqual([]);
  const record: LogRecord = decoded.records[0];
  const again = JSON.parse(JSON.stringify(encodeLogsExact([{ ...record, record_id: '' }]))) as typeof request;
  return { model: record.attributes.v, wire: again.resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value };
}

describe('tagged values', () => {
  it('keeps bytesValue and int64 beyond 2^53 as their kind through model and back', () => {
    expect(roundTrip({ bytesValue: 'AAECAwQ=' })).toEqual({ model: { $bytes: 'AAECAwQ=' }, wire: { bytesValue: 'AAECAwQ=' } });
    expect(roundTrip({ intValue: '9007199254740993' })).toEqual({ model: { $int: '9007199254740993' }, wire: { intValue: '9007199254740993' } });
    expect(roundTrip({ intValue: '-9007199254740993' })).toEqual({ model: { $int: '-9007199254740993' }, wire: { intValue: '-9007199254740993' } });
    expect(roundTrip({ intValue: '9007199254740991' })).toEqual({ model: 9007199254740991, wire: { intValue: '9007199254740991' } });
    // A base64-looking or decimal string stays a string.
    expect(roundTrip({ stringValue: '9007199254740993' })).toEqual({ model: '9007199254740993', wire: { stringValue: '9007199254740993' } });
  });

  it('wraps a kvlist whose only key is a tag name in $map, so it comes back as the same kvlist', () => {
    for (const key of ['$bytes', '$int', '$map']) {
      const kvlist = { kvlistValue: { values: [kv(key, { stringValue: 'AQID' })] } };
      const { model, wire } = roundTrip(kvlist);
      expect(model).toEqual({ $map: { [key]: 'AQID' } });
      expect(wire).toEqual(kvlist);
    }
    const two = { kvlistValue: { values: [kv('$bytes', { stringValue: 'AQID' }), kv('x', { boolValue: true })] } };
    expect(roundTrip(two)).toEqual({ model: { $bytes: 'AQID', x: true }, wire: two });
  });

  it('keeps an intValue sent as a JSON number beyond 2^53 an int, and rejects one outside int64', () => {
    expect(roundTrip({ intValue: 2 ** 60 }).model).toEqual({ $int: '1152921504606846976' });
    const outside = decodeLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { intValue: 1e20 } }] }] }] }, { nowMs: NOW_MS });
    expect(outside.errors).toEqual(['resourceLogs[0].scopeLogs[0].logRecords[0].body.intValue: not an int64 (decimal string or integer)']);
  });

  it('reads a malformed tag (not base64, not a decimal int64) as the map it is', () => {
    expect(readTagged({ $bytes: 'not base64!' })).toEqual({ map: { $bytes: 'not base64!' } });
    expect(readTagged({ $int: '12a' })).toEqual({ map: { $int: '12a' } });
    expect(readTagged({ $map: 'x' })).toEqual({ map: { $map: 'x' } });
    expect(isOpaqueTag({ $int: '-5' })).toBe(true);
    expect(isOpaqueTag({ $map: {} })).toBe(false);
    expect(mapValue({ a: 1 })).toEqual({ a: 1 });
  });
});
