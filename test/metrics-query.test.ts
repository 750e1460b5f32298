import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../src/collector-endpoint/index.js';
import { encodeMetricsProtobuf } from '../src/shared/otlp/encode-protobuf-metrics.js';
import { dropTagged } from './helpers/cleanup.js';
import { QUERY_BACKENDS as BACKENDS, startQueryServers, type QueryBackend } from './helpers/query-servers.js';

/**
 * The metrics query (GET /v1/metrics/query) on `isotel serve`, with each backend as the query backend: the same
 * points are posted once (POST /v1/metrics, OTLP JSON) to an ingest writing JSONL, PostgreSQL and Elasticsearch,
 * then every query is asked of an ingest reading from each, and must answer the same, and the expected series:
 * a cumulative counter (last value per bucket), a delta counter (sum per bucket), a gauge and a delta histogram
 * (bucket-wise sums), attributes of each scalar type, two services.
 */
const tag = `mq${randomBytes(3).toString('hex')}`;
const MIN = 60_000;
const T0 = Math.floor((Date.now() - 3_600_000) / (10 * MIN)) * 10 * MIN; // about an hour ago, on ten minutes (5m buckets start there)
const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const bool = (key: string, v: boolean) => ({ key, value: { boolValue: v } });

const num = (secs: number, value: number, attributes: object[]) => ({ timeUnixNano: ns(T0 + secs * 1000), startTimeUnixNano: ns(T0 - 1000), asDouble: value, attributes });
const ROUTE_CART = [str('http.route', '/cart'), int('http.status_code', 200), bool('ok', true)];
const ROUTE_PAY = [str('http.route', '/pay'), int('http.status_code', 500), bool('ok', false)];

/** int64 values beyond 2^53 (asInt, decimal strings) and an int attribute beyond it: a gauge and a delta sum named `${prefix}...`. */
const BIG = ['9007199254740993', '-9223372036854775808', '9223372036854775807'];
const BIG_ATTRS = [{ key: 'n', value: { intValue: '-9007199254740993' } }];
const asInt = (secs: number, v: string) => ({ timeUnixNano: ns(T0 + secs * 1000), asInt: v, attributes: BIG_ATTRS });
function bigInts(prefix: string) {
  return [
    { name: `${prefix}.gauge`, gauge: { dataPoints: BIG.map((v, i) => asInt(5 + i * 60, v)) } },
    { name: `${prefix}.delta`, sum: { aggregationTemporality: 1, isMonotonic: false, dataPoints: [asInt(1, BIG[0]), asInt(2, '2'), asInt(61, BIG[1]), asInt(62, BIG[2])] } },
  ];
}
/** The same in OTLP protobuf (the ingest's other encoding). */
function protobufRequest(): Uint8Array {
  return encodeMetricsProtobuf({ resourceMetrics: [{ resource: { attributes: [str('service.name', `${tag}-proto`)] }, scopeMetrics: [{ scope: { name: 'proto' }, metrics: bigInts('bigpb') }] }] } as never);
}

function metricsRequest() {
  const shop = [
    { name: 'requests', unit: '1', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [num(5, 1, ROUTE_CART), num(50, 4, ROUTE_CART), num(70, 6, ROUTE_CART), num(130, 9, ROUTE_CART), num(10, 2, ROUTE_PAY), num(100, 3, ROUTE_PAY)] } },
    { name: 'jobs', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [num(1, 2, []), num(30, 5, []), num(61, 1, [])] } },
    { name: 'queue.depth', gauge: { dataPoints: [num(20, 7, []), num(40, 3, [])] } },
    {
      name: 'latency', unit: 's',
      histogram: { aggregationTemporality: 1, dataPoints: [
        { timeUnixNano: ns(T0 + 1000), count: '3', sum: 0.6, min: 0.1, max: 0.3, bucketCounts: ['1', '2', '0'], explicitBounds: [0.2, 1], attributes: [] },
        { timeUnixNano: ns(T0 + 2000), count: '2', sum: 2.5, min: 0.5, max: 2, bucketCounts: ['0', '1', '1'], explicitBounds: [0.2, 1], attributes: [] },
      ] },
    },
  ];
  const worker = [{ name: 'requests', unit: '1', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [num(15, 11, ROUTE_CART)] } }, ...bigInts('big')];
  return {
    resourceMetrics: [
      { resource: { attributes: [str('service.name', `${tag}-shop`)] }, scopeMetrics: [{ scope: { name: 'shop' }, metrics: shop }] },
      { resource: { attributes: [str('service.name', `${tag}-worker`)] }, scopeMetrics: [{ scope: { name: 'jobs' }, metrics: worker }] },
    ],
  };
}

let dir: string;
const servers: Partial<Record<QueryBackend, RunningServer>> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-metrics-query-'));
  Object.assign(servers, await startQueryServers({ tag, dir, name: 'metrics-query-ingest', send: async (url) => {
      const res = await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metricsRequest()) });
      expect(await res.json()).toStrictEqual({});
      const pb = await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(protobufRequest()) });
      expect(pb.status).toBe(200);
    } }));
});

afterAll(async () => {
  for (const s of Object.values(servers)) await s?.close();
  await dropTagged(tag);
  rmSync(dir, { recursive: true, force: true });
});

interface Series {
  name: string;
  resource: Record<string, unknown>;
  attributes: Record<string, unknown>;
  points: Array<Record<string, unknown>>;
}
interface Answer {
  status: number;
  body: { data?: Series[]; step?: number; truncated?: boolean; message?: string };
}

async function everywhere(params: Record<string, string | string[]>): Promise<Answer> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) q.append(k, one);
  q.set('start', String(T0 * 1000));
  q.set('end', params.end ? String(params.end) : String((T0 + 10 * MIN) * 1000));
  const answers = await Promise.all(BACKENDS.map(async (b) => {
    const res = await fetch(`${servers[b]!.url}/v1/metrics/query?${q}`);
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }));
  for (const [i, a] of answers.entries()) expect(a, `${BACKENDS[i]}: ${q}`).toStrictEqual(answers[0]);
  return answers[0];
}

const at = (min: number) => new Date(T0 + min * MIN).toISOString();
const values = (s: Series) => s.points.map((p) => [p.time, p.value]);

describe('GET /v1/metrics/query: the same series from JSONL, PostgreSQL and Elasticsearch', () => {
  it('a cumulative counter: series by service and attributes, the last value per minute', async () => {
    const a = await everywhere({ name: 'requests', step: '1m' });
    expect(a.status).toBe(200);
    expect([a.body.step, a.body.truncated]).toStrictEqual([60_000, false]);
    expect(a.body.data!.map((s) => [s.resource['service.name'], s.attributes['http.route'], values(s)])).toStrictEqual([
      [`${tag}-shop`, '/cart', [[at(0), 4], [at(1), 6], [at(2), 9]]],
      [`${tag}-shop`, '/pay', [[at(0), 2], [at(1), 3]]],
      [`${tag}-worker`, '/cart', [[at(0), 11]]],
    ]);
    expect(a.body.data![0]).toMatchObject({ name: 'requests', type: 'sum', temporality: 'cumulative', unit: '1', attributes: { 'http.route': '/cart', 'http.status_code': 200, ok: true } });
  });

  it('filters by string, int and bool attributes (GIN @> on PostgreSQL), and a time range', async () => {
    const ids = (a: Answer) => a.body.data!.map((s) => [s.resource['service.name'], values(s)]);
    expect(ids(await everywhere({ name: 'requests', attr: ['http.route=/pay'], step: '5m' }))).toStrictEqual([[`${tag}-shop`, [[at(0), 3]]]]);
    expect(ids(await everywhere({ name: 'requests', attr: ['http.status_code=200', 'ok=true'], step: '5m' }))).toStrictEqual([[`${tag}-shop`, [[at(0), 9]]], [`${tag}-worker`, [[at(0), 11]]]]);
    expect(ids(await everywhere({ name: 'requests', attr: ['ok=false'], step: '1m', end: String((T0 + 60_000) * 1000) }))).toStrictEqual([[`${tag}-shop`, [[at(0), 2]]]]);
    expect((await everywhere({ name: 'requests', attr: ['http.route=/nowhere'] })).body.data).toStrictEqual([]);
  });

  it('a delta counter sums per bucket, a gauge keeps the last, a delta histogram adds its buckets', async () => {
    expect(values((await everywhere({ name: 'jobs', step: '1m' })).body.data![0])).toStrictEqual([[at(0), 7], [at(1), 1]]);
    expect(values((await everywhere({ name: 'queue.depth', step: '1m' })).body.data![0])).toStrictEqual([[at(0), 3]]);
    expect((await everywhere({ name: 'latency', step: '1m' })).body.data![0].points).toStrictEqual([
      { time: at(0), count: 5, sum: 3.1, min: 0.1, max: 2, bucket_counts: [1, 3, 1], explicit_bounds: [0.2, 1] },
    ]);
  });

  it('limits series, and answers 400 naming the parameter', async () => {
    const one = await everywhere({ name: 'requests', limit: '1' });
    expect([one.body.data!.length, one.body.truncated]).toStrictEqual([1, true]);
    const bad = await everywhere({ name: 'requests', step: '1ms' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^parameter 'step': 1ms makes 600001 buckets/);
    expect((await everywhere({ name: 'requests', attr: ['route'] })).body.message).toMatch(/parameter 'attr'/);
  });
});

describe('int64 metric values beyond 2^53, exactly, from OTLP JSON and protobuf', () => {
  it('the query API answers them as their decimal strings from every backend, and adds delta points exactly', async () => {
    for (const prefix of ['big', 'bigpb']) {
      const gauge = (await everywhere({ name: `${prefix}.gauge`, step: '1m' })).body.data!;
      expect(gauge.map((s) => [s.attributes, values(s)])).toStrictEqual([[{ n: { $int: '-9007199254740993' } }, [[at(0), BIG[0]], [at(1), BIG[1]], [at(2), BIG[2]]]]]);
      const delta = (await everywhere({ name: `${prefix}.delta`, step: '1m' })).body.data!;
      expect(values(delta[0])).toStrictEqual([[at(0), '9007199254740995'], [at(1), -1]]);
    }
  });

  it('JSONL keeps the decimal string, PostgreSQL a BIGINT value_int, Elasticsearch a long value_int and the string in point.value', async () => {
    const lines = readFileSync(join(dir, 'logs', 'metrics-query-ingest.metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"name":"big.gauge"'));
    expect(lines.map((l) => /"value":("[^"]*"|[^,}]*)/.exec(l)?.[1]).sort()).toStrictEqual(BIG.map((v) => `"${v}"`).sort());
    const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await client.connect();
    try {
      const r = await client.query<{ value_int: string; value: number }>(`SELECT value_int::text AS value_int, value FROM ${tag}_metrics WHERE name = 'bigpb.gauge' ORDER BY "time"`);
      expect(r.rows.map((row) => row.value_int)).toStrictEqual(BIG);
      expect(r.rows.map((row) => row.value)).toStrictEqual(BIG.map(Number));
    } finally {
      await client.end();
    }
    const search = async (query: object) => {
      const res = await fetch(`http://127.0.0.1:9200/${tag}-metrics/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      return ((await res.json()) as { hits: { hits: Array<{ _source: { point: { value: unknown } } }> } }).hits.hits;
    };
    // a long: the exact value finds its point, its double neighbour (9007199254740992) none
    expect((await search({ bool: { filter: [{ term: { name: 'big.gauge' } }, { term: { value_int: BIG[0] } }] } })).map((h) => h._source.point.value)).toStrictEqual([BIG[0]]);
    expect(await search({ bool: { filter: [{ term: { name: 'big.gauge' } }, { term: { value_int: '9007199254740992' } }] } })).toStrictEqual([]);
  });
});
