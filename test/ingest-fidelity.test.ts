import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningServer } from '../src/collector-endpoint/index.js';
import { encodeLogsExact, encodeSpansExact } from '../src/shared/otlp/index.js';
import type { LogRecord, SpanRecord } from '../src/shared/model.js';
import { logsToProtobuf, tracesToProtobuf } from './helpers/otlp-protobuf.js';
import { dropTagged } from './helpers/cleanup.js';
import { storeConfigs } from './helpers/store-configs.js';

/**
 * OTLP fidelity through `isotel serve` into JSONL, PostgreSQL and Elasticsearch, read back through
 * GET /v1/traces/{id} with each as the query backend: int64 beyond 2^53 (both signs) exact and still ints,
 * bytesValue still bytes, resource and scope schema URLs, observed_timestamp as sent (the receive time only
 * where none was sent), from OTLP JSON and protobuf alike; invalid UTF-8 in protobuf rejects only its record.
 */
const tag = `fid${randomBytes(3).toString('hex')}`;
const TRACE = randomBytes(16).toString('hex');
const R_URL = 'https://opentelemetry.io/schemas/1.26.0';
const S_URL = 'https://opentelemetry.io/schemas/1.30.0';
const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const OBSERVED_NS = NOW_NS - 5_000_000_123n; // sent by the client: 5 s ago, with nanoseconds
const { postgres: PG_CONFIG, elasticsearch: ES_CONFIG } = storeConfigs(tag);

const kv = (key: string, value: object) => ({ key, value });
const AWKWARD = [
  kv('big', { intValue: '9007199254740993' }),
  kv('neg_big', { intValue: '-9007199254740993' }),
  kv('max', { intValue: '9223372036854775807' }),
  kv('min', { intValue: '-9223372036854775808' }),
  kv('small', { intValue: '42' }),
  kv('raw', { bytesValue: '3q2+7w==' }),
  kv('digits_text', { stringValue: '9007199254740993' }),
  kv('looks_tagged', { kvlistValue: { values: [kv('$int', { stringValue: 'x' })] } }),
];
const AWKWARD_MODEL = {
  big: { $int: '9007199254740993' },
  neg_big: { $int: '-9007199254740993' },
  max: { $int: '9223372036854775807' },
  min: { $int: '-9223372036854775808' },
  small: 42,
  raw: { $bytes: '3q2+7w==' },
  digits_text: '9007199254740993',
  looks_tagged: { $map: { $int: 'x' } },
};

function logsRequest(via: string, extra: object[] = []) {
  const record = (i: number, more: object) => ({
    timeUnixNano: String(NOW_NS + BigInt(i)),
    severityNumber: 9,
    traceId: TRACE,
    spanId: `${via === 'json' ? 'a' : 'b'}00000000000000${i}`,
    ...more,
  });
  return {
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', { stringValue: `fidelity-${via}` }), kv('host.id', { intValue: '9007199254740991' })] },
        schemaUrl: R_URL,
        scopeLogs: [
          {
            scope: { name: 'fidelity', version: '1.0.0' },
            schemaUrl: S_URL,
            logRecords: [
              record(1, { observedTimeUnixNano: String(OBSERVED_NS), body: { bytesValue: 'AAECAwT/' }, attributes: [kv('log.record.uid', { stringValue: `${via}-1` }), ...AWKWARD] }),
              record(2, { body: { intValue: '-9223372036854775808' }, attributes: [kv('log.record.uid', { stringValue: `${via}-2` })] }),
              ...extra,
            ],
          },
        ],
      },
    ],
  };
}

function tracesRequest(via: string) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', { stringValue: `fidelity-${via}` })] },
        schemaUrl: R_URL,
        scopeSpans: [
          {
            scope: { name: 'fidelity', version: '1.0.0' },
            schemaUrl: S_URL,
            spans: [
              {
                traceId: TRACE,
                spanId: via === 'json' ? 'c000000000000001' : 'd000000000000001',
                name: `op ${via}`,
                kind: 2,
                startTimeUnixNano: String(NOW_NS),
                endTimeUnixNano: String(NOW_NS + 1_000_000n),
                attributes: AWKWARD,
                events: [{ timeUnixNano: String(NOW_NS + 1n), name: 'e', attributes: [kv('payload', { bytesValue: 'AQ==' })] }],
                status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  };
}

let dir: string;
let ingest: RunningServer;
const queries: Record<string, RunningServer> = {};
const received = { from: 0, to: 0 };

function config(sub: string, backends: object[], query: string) {
  return {
    logger: { service_name: 'fidelity-ingest', enable_console: false, data_dir: join(dir, sub, 'data'), backends },
    ingest: { wal_dir: join(dir, sub, 'wal'), query_backend: query },
  };
}

const post = (path: string, body: BodyInit, type: string) =>
  fetch(`${ingest.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-fidelity-'));
  const jsonl = { backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'fidelity.jsonl') } };
  const pgBackend = { backend_type: 'postgres', config: PG_CONFIG };
  const esBackend = { backend_type: 'elasticsearch', config: ES_CONFIG };
  ingest = await serve({ config: config('main', [jsonl, pgBackend, esBackend], 'filesystem'), port: 0, diagSink: () => {} });
  received.from = Date.now();
  const bad = [0x68, 0xff, 0xfe, 0x69]; // "h", two bytes that are never UTF-8, "i"
  const invalid = [
    { timeUnixNano: String(NOW_NS), traceId: TRACE, body: { stringValue: new Uint8Array(bad) } },
    { timeUnixNano: String(NOW_NS), traceId: TRACE, attributes: [kv('k', { stringValue: new Uint8Array(bad) })] },
  ];
  const answers = await Promise.all([
    post('/v1/logs', JSON.stringify(logsRequest('json')), 'application/json'),
    post('/v1/traces', JSON.stringify(tracesRequest('json')), 'application/json'),
    post('/v1/logs', logsToProtobuf(logsRequest('proto', invalid)), 'application/x-protobuf'),
    post('/v1/traces', tracesToProtobuf(tracesRequest('proto')), 'application/x-protobuf'),
  ]);
  received.to = Date.now();
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  // The protobuf partial success names both invalid records (ExportLogsPartialSuccess.error_message).
  const partial = Buffer.from(await answers[2].arrayBuffer()).toString('utf8');
  expect(partial).toMatch(/logRecords\[2\]: invalid UTF-8 in AnyValue\.stringValue at byte \d+/);
  expect(partial).toMatch(/logRecords\[3\]: invalid UTF-8 in AnyValue\.stringValue at byte \d+/);
  expect(await ingest.handler.drain(60_000)).toBe(true);
  // The same stores, queried through ingests that read from PostgreSQL and from Elasticsearch.
  queries.filesystem = ingest;
  queries.postgres = await serve({ config: config('pg', [pgBackend], 'postgres'), port: 0, diagSink: () => {} });
  queries.elasticsearch = await serve({ config: config('es', [esBackend], 'elasticsearch'), port: 0, diagSink: () => {} });
});

afterAll(async () => {
  for (const s of new Set(Object.values(queries).concat(ingest ? [ingest] : []))) await s.close();
  await dropTagged(tag);
  rmSync(dir, { recursive: true, force: true });
});

async function trace(backend: string): Promise<{ logs: LogRecord[]; spans: SpanRecord[] }> {
  const res = await fetch(`${queries[backend].url}/v1/traces/${TRACE}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { logs: LogRecord[]; spans: SpanRecord[] };
}

const nanosIso = (ns: bigint) => `${new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19)}.${String(ns % 1_000_000_000n).padStart(9, '0')}Z`;

describe.each(['filesystem', 'postgres', 'elasticsearch'])('GET /v1/traces/{id} from %s', (backend) => {
  for (const via of ['json', 'proto']) {
    it(`${via}: int64 beyond 2^53 and bytes keep value and kind, schema URLs and the sent observed time are kept`, async () => {
      const { logs, spans } = await trace(backend);
      expect(logs).toHaveLength(4);
      const first = logs.find((l) => l.record_id === `${via}-1`)!;
      expect(first.attributes).toEqual(AWKWARD_MODEL);
      expect(first.body).toEqual({ $bytes: 'AAECAwT/' });
      expect(first.resource).toEqual({ 'service.name': `fidelity-${via}`, 'host.id': 9007199254740991 });
      expect(first.resource_schema_url).toBe(R_URL);
      expect(first.scope).toEqual({ name: 'fidelity', version: '1.0.0', schema_url: S_URL });
      expect(first.observed_timestamp).toBe(nanosIso(OBSERVED_NS));
      const second = logs.find((l) => l.record_id === `${via}-2`)!;
      expect(second.body).toEqual({ $int: '-9223372036854775808' });
      const observed = Date.parse(second.observed_timestamp);
      expect(observed).toBeGreaterThanOrEqual(received.from);
      expect(observed).toBeLessThanOrEqual(received.to);

      const span = spans.find((s) => s.name === `op ${via}`)!;
      expect(span.attributes).toEqual(AWKWARD_MODEL);
      expect(span.events[0].attributes).toEqual({ payload: { $bytes: 'AQ==' } });
      expect([span.resource_schema_url, span.scope.schema_url]).toEqual([R_URL, S_URL]);
    });
  }

  // By key: PostgreSQL's JSONB keeps a map's keys in its own order.
  const byKey = (list: { key: string }[] | undefined) => [...(list ?? [])].sort((a, b) => a.key.localeCompare(b.key));

  it('gives back what was sent when the records are encoded as OTLP again', async () => {
    const { logs, spans } = await trace(backend);
    const again = encodeLogsExact(logs.filter((l) => l.record_id === 'json-1'));
    const rl = again.resourceLogs![0];
    const sl = rl.scopeLogs![0];
    expect([rl.schemaUrl, sl.schemaUrl]).toEqual([R_URL, S_URL]);
    expect(sl.logRecords![0].body).toEqual({ bytesValue: 'AAECAwT/' });
    expect(byKey(sl.logRecords![0].attributes)).toEqual(byKey([...AWKWARD, kv('log.record.uid', { stringValue: 'json-1' })]));
    const rs = encodeSpansExact(spans.filter((s) => s.name === 'op json')).resourceSpans![0];
    expect(byKey(rs.scopeSpans![0].spans![0].attributes)).toEqual(byKey(AWKWARD));
    expect(rs.scopeSpans![0].spans![0].events![0].attributes).toEqual([kv('payload', { bytesValue: 'AQ==' })]);
  });
});

it('every backend answers the same trace', async () => {
  const [fs, pgTrace, es] = await Promise.all(['filesystem', 'postgres', 'elasticsearch'].map(trace));
  const sorted = (t: { logs: LogRecord[]; spans: SpanRecord[] }) => ({
    logs: [...t.logs].sort((a, b) => a.record_id.localeCompare(b.record_id)),
    spans: [...t.spans].sort((a, b) => a.span_id.localeCompare(b.span_id)),
  });
  expect(sorted(pgTrace)).toEqual(sorted(fs));
  expect(sorted(es)).toEqual(sorted(fs));
});
