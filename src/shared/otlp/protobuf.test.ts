import { describe, it, expect } from 'vitest';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { LogRecord, SpanRecord } from '../model.js';
import { decodeLogs, decodeLogsProtobuf, decodeSpans, decodeTracesProtobuf, ProtobufError } from './index.js';
import { modelViolations, NOW_MS } from './fixtures/samples.js';
import { sdkLogRecords, sdkSpans } from './fixtures/sdk.js';

import { len, tag, vint, fixed64, fixed32, type Bytes } from '../testing/protobuf-writer.js';
const str = (num: number, s: string) => len(num, [...new TextEncoder().encode(s)]);
const double = (num: number, d: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, d, true);
  return [...tag(num, 1), ...b];
};
const kv = (key: string, value: Bytes) => len(1, str(1, key), len(2, value));
const logsRequest = (...logRecord: Bytes[]) =>
  new Uint8Array(len(1, len(1, kv('service.name', str(1, 'svc'))), len(2, len(1, str(1, 'scope')), len(2, ...logRecord))));
const T = 1751798096123456789n;
const UNKNOWN = [...vint(99, 7), ...fixed64(98, 1n), ...str(97, 'x'), ...fixed32(96, 1)];

describe('decodeLogsProtobuf', () => {
  it('gives the OTLP JSON shape: hex ids, decimal-string times, integer enums, base64 bytes', () => {
    const buf = logsRequest(
      fixed64(1, T),
      vint(2, 9),
      len(5, str(1, 'héllo')),
      len(6, str(1, 'neg'), len(2, vint(3, -5))),
      len(6, str(1, 'max'), len(2, vint(3, 9223372036854775807n))),
      len(6, str(1, 'nan'), len(2, double(4, Number.NaN))),
      len(6, str(1, 'yes'), len(2, vint(2, 1))),
      len(6, str(1, 'raw'), len(2, len(7, [1, 2, 3]))),
      len(6, str(1, 'list'), len(2, len(5, len(1, double(4, 1.5)), len(1, len(6, kv('a', str(1, 'b'))))))),
      vint(7, 2),
      fixed32(8, 1),
      len(9, Array.from({ length: 16 }, (_, i) => i + 1)),
      len(10, [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1]),
      fixed64(11, T + 1000n),
      str(12, 'evt'),
    );
    const shape = decodeLogsProtobuf(buf) as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
    expect(shape.resourceLogs[0].scopeLogs[0].logRecords[0]).toEqual({
      timeUnixNano: '1751798096123456789',
      severityNumber: 9,
      body: { stringValue: 'héllo' },
      attributes: [
        { key: 'neg', value: { intValue: -5 } },
        { key: 'max', value: { intValue: '9223372036854775807' } },
        { key: 'nan', value: { doubleValue: 'NaN' } },
        { key: 'yes', value: { boolValue: true } },
        { key: 'raw', value: { bytesValue: 'AQID' } },
        { key: 'list', value: { arrayValue: { values: [{ doubleValue: 1.5 }, { kvlistValue: { values: [{ key: 'a', value: { stringValue: 'b' } }] } }] } } },
      ],
      droppedAttributesCount: 2,
      flags: 1,
      traceId: '0102030405060708090a0b0c0d0e0f10',
      spanId: 'deadbeef00000001',
      observedTimeUnixNano: '1751798096123457789',
      eventName: 'evt',
    });
    const [record] = decodeLogs(shape, { nowMs: NOW_MS }).records;
    expect(record).toMatchObject({
      timestamp: '2025-07-06T10:34:56.123456789Z',
      severity_text: 'INFO',
      attributes: { neg: -5, max: { $int: '9223372036854775807' }, nan: 'NaN', yes: true, raw: { $bytes: 'AQID' }, list: [1.5, { a: 'b' }] },
      resource: { 'service.name': 'svc' },
      scope: { name: 'scope' },
    });
  });

  it('skips unknown fields of every wire type, at the top and inside messages', () => {
    const buf = new Uint8Array([...UNKNOWN, ...logsRequest(fixed64(1, T), ...[UNKNOWN], len(5, ...[UNKNOWN], str(1, 'ok')))]);
    const [record] = decodeLogs(decodeLogsProtobuf(buf), { nowMs: NOW_MS }).records;
    expect(record.body).toBe('ok');
  });

  it('keeps the last of several AnyValue kinds, as protobuf oneof does', () => {
    const shape = decodeLogsProtobuf(logsRequest(fixed64(1, T), len(5, str(1, 'first'), vint(3, 7))));
    expect(decodeLogs(shape, { nowMs: NOW_MS }).records[0].body).toBe(7);
  });

  it('reads a Node Buffer that is a slice of a larger allocation', () => {
    const inner = logsRequest(fixed64(1, T), len(5, str(1, 'sliced')));
    const big = Buffer.concat([Buffer.from([1, 2, 3, 4, 5]), Buffer.from(inner)]).subarray(5);
    expect(decodeLogs(decodeLogsProtobuf(big), { nowMs: NOW_MS }).records[0].body).toBe('sliced');
  });

  it('gives an empty request for an empty body', () => {
    expect(decodeLogsProtobuf(new Uint8Array(0))).toEqual({ resourceLogs: [] });
  });

  const deepValue = (n: number): Bytes => (n === 0 ? str(1, 'leaf') : len(5, len(1, deepValue(n - 1))));
  const valid = logsRequest(fixed64(1, T), len(5, str(1, 'ok')));
  const MALFORMED: [string, Uint8Array, RegExp][] = [
    ['a body cut short', valid.subarray(0, valid.length - 1), /truncated/],
    ['a length beyond the end', new Uint8Array([0x0a, 0x05, 0x01]), /truncated length-delimited field of 5 bytes at byte 2/],
    ['a varint of 11 bytes', new Uint8Array([...tag(99, 0), ...Array(10).fill(0xff), 0x01]), /varint longer than 10 bytes/],
    ['a varint cut short', new Uint8Array([...tag(99, 0), 0xff]), /truncated varint/],
    ['a group (wire type 3)', new Uint8Array(tag(5, 3)), /unsupported wire type 3/],
    ['a known field with the wrong wire type', new Uint8Array(vint(1, 1)), /ExportLogsServiceRequest\.resourceLogs has wire type 0 \(byte 0\)/],
    ['field number 0', new Uint8Array([0x02, 0x00]), /field number 0/],
    ['a tag beyond 32 bits', new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), /tag out of range/],
    ['a fixed64 cut short', new Uint8Array([...tag(99, 1), 1, 2, 3]), /truncated fixed64/],
    ['messages nested deeper than 64', logsRequest(len(5, deepValue(40))), /nested deeper than 64/],
  ];

  it.each(MALFORMED)('throws a ProtobufError for %s', (_what, buf, message) => {
    expect(() => decodeLogsProtobuf(buf)).toThrow(ProtobufError);
    expect(() => decodeLogsProtobuf(buf)).toThrow(message);
  });

  describe('invalid UTF-8 in a string', () => {
    const BAD = [0x68, 0xff, 0xfe, 0x69]; // "h", two bytes that are never UTF-8, "i"
    const badStr = (num: number) => len(num, BAD);
    const record = (...fields: Bytes[]) => len(2, fixed64(1, T), ...fields);
    const scopeLogs = (...records: Bytes[]) => len(2, len(1, str(1, 'scope')), ...records);
    const request = (resource: Bytes, ...scopes: Bytes[]) => new Uint8Array(len(1, len(1, resource), ...scopes));
    const decode = (buf: Uint8Array) => decodeLogs(decodeLogsProtobuf(buf), { nowMs: NOW_MS });

    it('rejects the record with it in its body or an attribute, with the reason, and keeps its valid siblings', () => {
      const result = decode(
        request(
          kv('service.name', str(1, 'svc')),
          scopeLogs(
            record(len(5, str(1, 'first ok'))),
            record(len(5, badStr(1))),
            record(len(5, str(1, 'third ok')), len(6, str(1, 'k'), len(2, badStr(1)))),
            record(len(5, str(1, 'fourth ok')), len(6, str(1, 'nested'), len(2, len(6, kv('deep', badStr(1)))))),
            record(len(5, str(1, 'fifth ok'))),
          ),
        ),
      );
      expect(result.records.map((r) => r.body)).toEqual(['first ok', 'fifth ok']);
      expect(result.rejected).toBe(3);
      expect(result.errors).toEqual([
        expect.stringMatching(/^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[1\]: invalid UTF-8 in AnyValue\.stringValue at byte \d+$/),
        expect.stringMatching(/^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[2\]: invalid UTF-8 in AnyValue\.stringValue at byte \d+$/),
        expect.stringMatching(/^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[3\]: invalid UTF-8 in AnyValue\.stringValue at byte \d+$/),
      ]);
    });

    it('rejects the records under a resource or scope with it, and keeps the other resources', () => {
      const ok = len(1, len(1, kv('service.name', str(1, 'good'))), scopeLogs(record(len(5, str(1, 'kept')))));
      const badResource = len(1, len(1, kv('service.name', badStr(1))), scopeLogs(record(), record()));
      const badKey = len(1, len(1, len(1, badStr(1), len(2, str(1, 'v')))), scopeLogs(record()));
      const badScope = len(1, len(1), len(2, len(1, badStr(1)), record()));
      const badSchemaUrl = len(1, len(1), scopeLogs(record()), badStr(3));
      const result = decode(new Uint8Array([...ok, ...badResource, ...badKey, ...badScope, ...badSchemaUrl]));
      expect(result.records.map((r) => r.body)).toEqual(['kept']);
      expect(result.rejected).toBe(5);
      expect(result.errors).toEqual([
        expect.stringMatching(/^resourceLogs\[1\]\.resource: invalid UTF-8 in AnyValue\.stringValue at byte \d+$/),
        expect.stringMatching(/^resourceLogs\[2\]\.resource: invalid UTF-8 in KeyValue\.key at byte \d+$/),
        expect.stringMatching(/^resourceLogs\[3\]\.scopeLogs\[0\]\.scope: invalid UTF-8 in InstrumentationScope\.name at byte \d+$/),
        expect.stringMatching(/^resourceLogs\[4\]: invalid UTF-8 in ResourceLogs\.schemaUrl at byte \d+$/),
      ]);
    });

    it('rejects a span with it in its name or an event, and keeps its valid siblings', () => {
      const span = (id: number, ...fields: Bytes[]) =>
        len(2, len(1, Array(16).fill(1)), len(2, Array(8).fill(id)), fixed64(7, T), fixed64(8, T + 1n), ...fields);
      const buf = new Uint8Array(
        len(1, len(1), len(2, len(1), span(1, str(5, 'ok')), span(2, badStr(5)), span(3, len(11, badStr(2))), span(4, str(5, 'ok too')))),
      );
      const result = decodeSpans(decodeTracesProtobuf(buf), { nowMs: NOW_MS });
      expect(result.records.map((s) => s.name)).toEqual(['ok', 'ok too']);
      expect(result.errors).toEqual([
        expect.stringMatching(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]: invalid UTF-8 in Span\.name at byte \d+$/),
        expect.stringMatching(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[2\]: invalid UTF-8 in Span\.Event\.name at byte \d+$/),
      ]);
    });
  });

  it('throws a ProtobufError for a body that is not bytes', () => {
    expect(() => decodeTracesProtobuf('text' as unknown as Uint8Array)).toThrow(ProtobufError);
  });
});

/** Flips, drops and inserts random bytes in a valid body: only ProtobufError may come out. */
function fuzzBytes(
  valid: Uint8Array,
  seed: number,
  decode: (buf: Uint8Array) => unknown,
  check: (shape: unknown) => void,
): { parsed: number; refused: number } {
  let a = seed;
  const random = () => ((a = (a * 1103515245 + 12345) >>> 0) / 4294967296);
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < 2_000; i++) {
    const bytes = Array.from(valid);
    for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
      const at = Math.floor(random() * bytes.length);
      const op = random();
      if (op < 0.6) bytes[at] = Math.floor(random() * 256);
      else if (op < 0.8) bytes.splice(at, 1);
      else bytes.splice(at, 0, Math.floor(random() * 256));
    }
    let shape: unknown;
    try {
      shape = decode(new Uint8Array(bytes));
    } catch (err) {
      if (!(err instanceof ProtobufError)) throw new Error(`iteration ${i}: ${String(err)}`);
      refused++;
      continue;
    }
    check(shape);
    parsed++;
  }
  return { parsed, refused };
}

describe('decoding randomly corrupted protobuf', () => {
  it('logs: only ever throws ProtobufError, and what parses decodes to valid records', async () => {
    const valid = ProtobufLogsSerializer.serializeRequest(await sdkLogRecords()) as Uint8Array;
    const { parsed, refused } = fuzzBytes(valid, 7, decodeLogsProtobuf, (shape) => {
      for (const r of decodeLogs(shape, { nowMs: NOW_MS }).records) expect(modelViolations('log', r as LogRecord)).toEqual([]);
    });
    expect(parsed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('traces: only ever throws ProtobufError, and what parses decodes to valid spans', async () => {
    const valid = ProtobufTraceSerializer.serializeRequest((await sdkSpans()).spans) as Uint8Array;
    const { parsed, refused } = fuzzBytes(valid, 11, decodeTracesProtobuf, (shape) => {
      for (const r of decodeSpans(shape, { nowMs: NOW_MS }).records) expect(modelViolations('span', r as SpanRecord)).toEqual([]);
    });
    expect(parsed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
