import { describe, it, expect } from 'vitest';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeMetrics, decodeMetricsProtobuf } from './index.js';
import { encodeMetricsProtobuf } from './encode-protobuf-metrics.js';
import { sdkResourceMetrics } from './fixtures/sdk-metrics.js';
import { fixed64, len, vint, tag, type Bytes } from '../testing/protobuf-writer.js';

const NOW = Date.now();
const T = String(BigInt(NOW - 1000) * 1_000_000n);
const T0 = String(BigInt(NOW - 61_000) * 1_000_000n);

/** An ExportMetricsServiceRequest in OTLP JSON with the given metrics under one resource and scope. */
function request(metrics: unknown[]) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeMetrics: [{ scope: { name: 'checkout' }, metrics }],
      },
    ],
  };
}
const point = (extra: Record<string, unknown>) => ({ timeUnixNano: T, startTimeUnixNano: T0, attributes: [], ...extra });

describe('decodeMetrics: the official SDK serializers', () => {
  it('decodes every point type the JS SDK makes, the same from JSON and from protobuf', async () => {
    const rm = await sdkResourceMetrics();
    const json = decodeMetrics(JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm))), { nowMs: NOW });
    const proto = decodeMetrics(decodeMetricsProtobuf(ProtobufMetricsSerializer.serializeRequest(rm)!), { nowMs: NOW });
    expect(json.errors).toEqual([]);
    expect(proto.errors).toEqual([]);
    expect(proto.records).toStrictEqual(json.records);
    const byName = new Map(json.records.map((p) => [p.name, p]));
    expect(byName.get('orders')).toMatchObject({ type: 'sum', temporality: 'cumulative', monotonic: true, value: 3, unit: '{order}', description: 'Orders placed', attributes: { 'payment.method': 'card' } });
    expect(byName.get('cart.items')).toMatchObject({ type: 'sum', monotonic: false, value: -2 });
    expect(byName.get('cpu.temperature')).toMatchObject({ type: 'gauge', value: 51.5, attributes: { core: 0 } });
    expect(byName.get('http.server.request.duration')).toMatchObject({
      type: 'histogram', count: 4, sum: 3.95, min: 0.05, max: 3, bucket_counts: [1, 1, 1, 1], explicit_bounds: [0.1, 0.5, 1],
    });
    const exp = byName.get('queue.wait')!;
    expect(exp).toMatchObject({ type: 'exponential_histogram', count: 5, zero_count: 1, sum: 107, min: 0, max: 100 });
    expect(exp.positive!.bucket_counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(json.records[0]).toMatchObject({ point_id: '', resource: { 'service.name': 'shop', 'service.version': '1.0.0' }, scope: { name: 'checkout', version: '1.2.3' } });
  });
});

describe('decodeMetrics: summary, exemplars, flags', () => {
  it('keeps summary quantiles, exemplars with their span, and a point with no recorded value', () => {
    const r = decodeMetrics(
      request([
        { name: 'rpc.latency', summary: { dataPoints: [point({ count: '3', sum: 1.5, quantileValues: [{ quantile: 0.5, value: 0.4 }, { quantile: 1, value: 0.9 }] })] } },
        {
          name: 'req',
          sum: {
            aggregationTemporality: 1,
            isMonotonic: true,
            dataPoints: [
              point({ asInt: '7', exemplars: [{ timeUnixNano: T, asDouble: 1.25, traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }] }] }),
              point({ flags: 1, attributes: [{ key: 'stale', value: { boolValue: true } }] }),
            ],
          },
        },
      ]),
      { nowMs: NOW },
    );
    expect(r.errors).toEqual([]);
    expect(r.records[0]).toMatchObject({ type: 'summary', count: 3, sum: 1.5, quantiles: [{ quantile: 0.5, value: 0.4 }, { quantile: 1, value: 0.9 }] });
    expect(r.records[1]).toMatchObject({ type: 'sum', temporality: 'delta', value: 7, exemplars: [{ value: 1.25, trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), filtered_attributes: { user: 'u1' } }] });
    expect(r.records[2]).toMatchObject({ flags: 1, attributes: { stale: true } });
    expect(r.records[2].value).toBeUndefined();
  });
});

describe('decodeMetrics: bad points are rejected one by one, with reasons', () => {
  it('refuses NaN, Infinity, negative counter increments, bucket mismatches and bad names, and keeps the rest', () => {
    const r = decodeMetrics(
      request([
        { name: 'g', gauge: { dataPoints: [point({ asDouble: 'NaN' }), point({ asDouble: 2 }), point({ asDouble: '-Infinity' })] } },
        { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point({ asInt: '-1' }), point({ asInt: '4' })] } },
        { name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [point({ count: '2', bucketCounts: ['1', '1'], explicitBounds: [1, 2] }), point({ count: '3', bucketCounts: ['1', '2'], explicitBounds: [1] })] } },
        { name: '9bad name', gauge: { dataPoints: [point({ asDouble: 1 }), point({ asDouble: 2 })] } },
        { name: 'u', sum: { dataPoints: [point({ asDouble: 1 })] } },
      ]),
      { nowMs: NOW },
    );
    expect(r.records.map((p) => [p.name, p.value ?? p.count])).toEqual([['g', 2], ['c', 4], ['h', 3]]);
    expect(r.rejected).toBe(7);
    const path = 'resourceMetrics[0].scopeMetrics[0].metrics';
    expect(r.errors).toEqual([
      `${path}[0].gauge.dataPoints[0].asDouble: NaN is not a valid value (NaN and ±Infinity are refused)`,
      `${path}[0].gauge.dataPoints[2].asDouble: -Infinity is not a valid value (NaN and ±Infinity are refused)`,
      `${path}[1].sum.dataPoints[0].asInt: negative value -1 on a monotonic cumulative sum (a counter never decreases)`,
      `${path}[2].histogram.dataPoints[0].bucketCounts: 2 bucket counts for 2 explicit bounds (there must be bounds + 1)`,
      `${path}[3].name: invalid instrument name "9bad name" (a letter, then up to 254 of A-Z a-z 0-9 _ . - /)`,
      `${path}[4].sum.aggregationTemporality: unspecified (DELTA or CUMULATIVE is required)`,
    ]);
  });

  it('refuses an asInt past the int64 range (19 digits pass the pattern), and keeps int64 max', () => {
    const r = decodeMetrics(request([{ name: 'g', gauge: { dataPoints: [point({ asInt: '9999999999999999999' }), point({ asInt: '9223372036854775807' }), point({ asInt: '-9223372036854775809' })] } }]), { nowMs: NOW });
    expect(r.records.map((p) => p.value)).toEqual(['9223372036854775807']);
    const path = 'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints';
    expect(r.errors).toEqual([`${path}[0].asInt: outside the int64 range`, `${path}[2].asInt: outside the int64 range`]);
  });

  it('keeps an asInt beyond ±(2^53 - 1) exactly, as its decimal string, from JSON and from protobuf; within, a number', () => {
    const ints = ['9007199254740993', '-9223372036854775808', '9223372036854775807', '9007199254740991', '-9007199254740991', '0'];
    const body = request([{ name: 'g', gauge: { dataPoints: ints.map((asInt) => point({ asInt, exemplars: [{ timeUnixNano: T, asInt }] })) } }]);
    const expected = ['9007199254740993', '-9223372036854775808', '9223372036854775807', 9007199254740991, -9007199254740991, 0];
    for (const r of [decodeMetrics(body, { nowMs: NOW }), decodeMetrics(decodeMetricsProtobuf(encodeMetricsProtobuf(body as never)), { nowMs: NOW })]) {
      expect(r.errors).toEqual([]);
      expect(r.records.map((p) => p.value)).toEqual(expected);
      expect(r.records.map((p) => p.exemplars?.[0].value)).toEqual(expected);
    }
  });

  it('reads an int64 JSON number beyond 2^53 as the integer it parsed to, refuses one past int64, and a negative beyond 2^53 on a counter', () => {
    const r = decodeMetrics(
      request([
        { name: 'g', gauge: { dataPoints: [point({ asInt: 2 ** 60 }), point({ asInt: 1e300 })] } },
        { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point({ asInt: '-9007199254740993' })] } },
      ]),
      { nowMs: NOW },
    );
    expect(r.records.map((p) => p.value)).toEqual(['1152921504606846976']);
    const path = 'resourceMetrics[0].scopeMetrics[0].metrics';
    expect(r.errors).toEqual([
      `${path}[0].gauge.dataPoints[1].asInt: outside the int64 range`,
      `${path}[1].sum.dataPoints[0].asInt: negative value -9007199254740993 on a monotonic cumulative sum (a counter never decreases)`,
    ]);
  });

  it('counts the data points under a rejected resource', () => {
    const body = request([{ name: 'g', gauge: { dataPoints: [point({ asDouble: 1 }), point({ asDouble: 2 })] } }]);
    (body.resourceMetrics[0] as Record<string, unknown>).resource = { attributes: 'x' };
    expect(decodeMetrics(body, { nowMs: NOW }).rejected).toBe(2);
  });
});

describe('decodeMetricsProtobuf', () => {
  const double = (field: number, v: number): Bytes => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, v, true);
    return [...tag(field, 1), ...new Uint8Array(b.buffer)];
  };
  const time = BigInt(T);

  it('reads summaries, exemplars, unpacked bucket counts and sint32 scales', () => {
    const summaryPoint = len(1, fixed64(3, time), fixed64(4, 2n), double(5, 3), len(6, double(1, 0.5), double(2, 1.5)), vint(8, 0));
    const exemplar = len(5, fixed64(2, time), double(3, 9.5), len(4, ...Array(8).fill([0x11])), len(5, ...Array(16).fill([0x22])));
    const numberPoint = len(1, fixed64(3, time), [...tag(6, 1), 5, 0, 0, 0, 0, 0, 0, 0], exemplar);
    const histPoint = len(1, fixed64(3, time), fixed64(4, 3n), fixed64(6, 1n), fixed64(6, 2n), double(7, 10));
    const expPoint = len(1, fixed64(3, time), fixed64(4, 2n), vint(6, 3), fixed64(7, 1n), len(9, vint(1, 1), vint(2, 1))); // scale -2 (zigzag 3), offset -1
    const metrics = [
      len(2, len(1, [...Buffer.from('s')]), len(11, summaryPoint)),
      len(2, len(1, [...Buffer.from('n')]), len(7, numberPoint, vint(2, 2), vint(3, 1))),
      len(2, len(1, [...Buffer.from('h')]), len(9, histPoint, vint(2, 1))),
      len(2, len(1, [...Buffer.from('e')]), len(10, expPoint, vint(2, 1))),
    ];
    const body = new Uint8Array(len(1, len(2, ...metrics)));
    const r = decodeMetrics(decodeMetricsProtobuf(body), { nowMs: NOW });
    expect(r.errors).toEqual([]);
    expect(r.records.map((p) => p.type)).toEqual(['summary', 'sum', 'histogram', 'exponential_histogram']);
    expect(r.records[0]).toMatchObject({ count: 2, sum: 3, quantiles: [{ quantile: 0.5, value: 1.5 }] });
    expect(r.records[1]).toMatchObject({ value: 5, monotonic: true, temporality: 'cumulative', exemplars: [{ value: 9.5, span_id: '11'.repeat(8), trace_id: '22'.repeat(16) }] });
    expect(r.records[2]).toMatchObject({ count: 3, bucket_counts: [1, 2], explicit_bounds: [10] });
    expect(r.records[3]).toMatchObject({ scale: -2, zero_count: 1, negative: { offset: -1, bucket_counts: [1] } });
  });
});
