import { describe, it, expect } from 'vitest';
import { encodeLogs } from './encode.js';
import { encodeLogsExact, encodeSpansExact } from './encode-exact.js';
import { logRecord, spanRecord } from './fixtures/samples.js';

const R1 = 'https://opentelemetry.io/schemas/1.26.0';
const S1 = 'https://opentelemetry.io/schemas/1.30.0';

describe('encodeLogsExact', () => {
  it('writes tagged values back as bytesValue, intValue and the kvlist a $map wraps, at every level', () => {
    const record = logRecord({
      body: [{ $bytes: 'AQID' }, { m: { $map: { $int: 'x' } } }],
      attributes: { big: { $int: '-9007199254740993' }, plain: { $int: 5 } },
      resource: { 'service.name': 'svc', blob: { $bytes: '/w==' } },
      scope: { name: 's', attributes: { n: { $int: '9223372036854775807' } } },
    });
    const [rl] = encodeLogsExact([record]).resourceLogs ?? [];
    const [sl] = rl.scopeLogs ?? [];
    const [out] = sl.logRecords ?? [];
    expect(out.body).toEqual({
      arrayValue: { values: [{ bytesValue: 'AQID' }, { kvlistValue: { values: [{ key: 'm', value: { kvlistValue: { values: [{ key: '$int', value: { stringValue: 'x' } }] } } }] } }] },
    });
    expect(out.attributes?.slice(0, 2)).toEqual([
      { key: 'big', value: { intValue: '-9007199254740993' } },
      { key: 'plain', value: { kvlistValue: { values: [{ key: '$int', value: { intValue: '5' } }] } } },
    ]);
    expect(rl.resource?.attributes).toContainEqual({ key: 'blob', value: { bytesValue: '/w==' } });
    expect(sl.scope?.attributes).toEqual([{ key: 'n', value: { intValue: '9223372036854775807' } }]);
  });

  it('carries resource and scope schema URLs, one ResourceLogs per resource and URL, scopes merged under it', () => {
    const resource = { 'service.name': 'svc' };
    const records = [
      logRecord({ record_id: 'a', resource, resource_schema_url: R1, scope: { name: 'x', schema_url: S1 } }),
      logRecord({ record_id: 'b', resource, resource_schema_url: R1, scope: { name: 'y' } }),
      logRecord({ record_id: 'c', resource }),
      logRecord({ record_id: 'd', resource, resource_schema_url: R1, scope: { name: 'x', schema_url: S1 } }),
    ];
    const out = encodeLogsExact(records).resourceLogs ?? [];
    expect(out.map((r) => [r.schemaUrl, r.scopeLogs?.map((s) => [s.scope?.name, s.schemaUrl, s.logRecords?.length])])).toEqual([
      [R1, [['x', S1, 2], ['y', undefined, 1]]],
      [undefined, [['isotel', undefined, 1]]],
    ]);
    expect(JSON.stringify(out)).not.toContain('schema_url');
  });

  it('writes records without tags or schema URLs exactly as the SDK encoder does', () => {
    const records = [logRecord(), logRecord({ record_id: 'r2', body: { k: [1, 'v'] }, resource: { 'service.name': 'b' } })];
    expect(encodeLogsExact(records)).toEqual(encodeLogs(records));
  });
});

describe('encodeSpansExact', () => {
  it('writes tagged values in span, event and link attributes back, and the schema URLs', () => {
    const span = spanRecord({
      resource_schema_url: R1,
      scope: { name: 'http', schema_url: S1 },
      attributes: { id: { $int: '9007199254740993' } },
      events: [{ name: 'e', time: '2025-07-06T10:34:56.100000Z', attributes: { raw: { $bytes: 'AQ==' } } }],
      links: [{ trace_id: '5b8efff798038103d269b633813fc60c', span_id: 'eee19b7ec3c1b174', attributes: { n: { $int: '-9223372036854775808' } } }],
    });
    const [rs] = encodeSpansExact([span]).resourceSpans ?? [];
    const [ss] = rs.scopeSpans ?? [];
    const [s] = ss.spans ?? [];
    expect([rs.schemaUrl, ss.schemaUrl]).toEqual([R1, S1]);
    expect(s.attributes).toEqual([{ key: 'id', value: { intValue: '9007199254740993' } }]);
    expect(s.events?.[0].attributes).toEqual([{ key: 'raw', value: { bytesValue: 'AQ==' } }]);
    expect(s.links?.[0].attributes).toEqual([{ key: 'n', value: { intValue: '-9223372036854775808' } }]);
  });
});
