import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiag, type Diag } from '../src/shared/diag.js';
import type { AnyValue, Attributes, LogRecord, SpanRecord } from '../src/shared/model.js';
import { createPostgresBackend, PostgresBackendError, type PostgresBackendConfig } from '../src/node/backends/postgres/index.js';
import type { Backend } from '../src/node/backends/types.js';

// The real server the test script starts (trust auth on 127.0.0.1). Tests never stop it: others share it.
const CONN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const RUN = randomBytes(4).toString('hex');
const SCHEMA = `isotel_test_${RUN}`;
const ROLE = `isotel_ro_${RUN}`;
const schemas = new Set<string>([SCHEMA]);

const admin = new pg.Pool({ ...CONN, max: 2 });
const backends: Backend[] = [];
const warnings: string[] = [];

function newDiag(): Diag {
  return createDiag((level, message) => {
    if (level !== 'debug') warnings.push(message);
  });
}

async function open(config: Partial<PostgresBackendConfig> = {}, diag: Diag = newDiag()): Promise<Backend> {
  const b = await createPostgresBackend({ ...CONN, schema: SCHEMA, ...config }, { dataDir: '/tmp', diag });
  backends.push(b);
  return b;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Every AnyValue kind, and the strings that break naive COPY/SQL escaping. */
const TRICKY: Attributes = {
  unicode: 'héllo wörld — 日本語 — עברית — 😀👍🏽',
  quotes: `it's "quoted" \`back\``,
  tabs_newlines: 'a\tb\nc\r\nd',
  backslashes: 'C:\\path\\to\\file \\N \\. \\t',
  copy_marker: '\\.',
  empty: '',
  int: 42,
  negative: -7,
  max_safe: Number.MAX_SAFE_INTEGER,
  double: 0.1,
  tiny: 1e-7,
  huge: 1.5e300,
  yes: true,
  no: false,
  nothing: null,
  list: [1, 'two', 3.5, false, null, ['nested', ['deeper']], { k: 'v' }],
  map: { a: { b: { c: [1, 2, { d: 'e' }] } }, 'key with spaces': 'x', 'ключ': 'значение' },
  empty_map: {},
  empty_list: [],
  // Tagged values (shared/tagged-value.ts): bytes, ints beyond 2^53 both ways, a map that looks like a tag.
  bytes: { $bytes: 'AAECAwT/' },
  int_past_safe: { $int: '9007199254740993' },
  int_min: { $int: '-9223372036854775808' },
  map_like_a_tag: { $map: { $bytes: 'not bytes' } },
};

const BODIES: AnyValue[] = [
  'plain text body',
  { message: 'structured', nested: { n: 1, list: [true, null] } },
  [1, 'a', { b: 2 }],
  12.5,
  false,
  null,
  '{"looks":"like json"}',
  { $bytes: '3q2+7w==' },
  { $int: '-9007199254740993' },
];
const RESOURCE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.26.0';
const SCOPE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.30.0';

function makeLogs(traceId: string, n: number, prefix: string): LogRecord[] {
  const base = Date.parse('2025-07-06T10:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const iso = new Date(base + i).toISOString().slice(0, 23);
    // Every third record has nanoseconds (nine digits), the rest the usual microseconds.
    const micros = String(i % 1000).padStart(3, '0');
    const timestamp = i % 3 === 0 ? `${iso}${micros}789Z` : `${iso}${micros}Z`;
    const rec: LogRecord = {
      record_id: `${prefix}-${String(i).padStart(5, '0')}`,
      timestamp,
      observed_timestamp: `${iso}999Z`,
      severity_text: i % 10 === 0 ? 'ERROR' : 'INFO',
      severity_number: i % 10 === 0 ? 17 : 9,
      body: BODIES[i % BODIES.length],
      trace_id: traceId,
      span_id: hex(i + 1, 16),
      attributes: { ...TRICKY, index: i, 'log.record.uid': `${prefix}-${i}` },
      resource: { 'service.name': 'pg-test', 'service.version': '1.0.0', 'deployment.environment.name': 'test' },
      scope: i % 2 === 0 ? { name: 'isotel', version: '0.1.0' } : { name: 'other', attributes: { x: 1 }, schema_url: SCOPE_SCHEMA_URL },
    };
    if (i % 3 === 1) rec.resource_schema_url = RESOURCE_SCHEMA_URL;
    if (i % 4 === 0) rec.trace_flags = 1;
    if (i % 5 === 0) rec.event_name = 'browser.click';
    if (i % 7 === 0) rec.dropped_attributes_count = 3;
    return rec;
  });
}

function makeSpans(traceId: string, n: number): SpanRecord[] {
  const kinds = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'UNSPECIFIED'] as const;
  const base = Date.parse('2025-07-06T10:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const start = new Date(base + i * 10).toISOString().slice(0, 23);
    const end = new Date(base + i * 10 + 5).toISOString().slice(0, 23);
    const span: SpanRecord = {
      trace_id: traceId,
      span_id: hex(1000 + i, 16),
      name: `operation ${i} "quoted"\t`,
      kind: kinds[i % kinds.length],
      start_time: i % 2 === 0 ? `${start}123456Z` : `${start}000Z`,
      end_time: `${end}250Z`,
      duration_ms: 5.127 + i / 3,
      status: i % 3 === 0 ? { code: 'ERROR', message: 'boom\nline 2' } : { code: i % 3 === 1 ? 'OK' : 'UNSET' },
      attributes: { ...TRICKY, index: i },
      events: [{ name: 'exception', time: `${start}500Z`, attributes: { 'exception.message': 'bad\\thing' } }],
      links: i % 2 === 0 ? [] : [{ trace_id: hex(i, 32), span_id: hex(i, 16), attributes: {}, trace_state: 'k=v' }],
      resource: { 'service.name': 'pg-test' },
      scope: i % 3 === 0 ? { name: 'isotel', schema_url: SCOPE_SCHEMA_URL } : { name: 'isotel' },
    };
    if (i % 2 === 1) span.resource_schema_url = RESOURCE_SCHEMA_URL;
    if (i > 0) span.parent_span_id = hex(1000, 16);
    if (i % 4 === 0) span.flags = 1;
    if (i % 5 === 0) span.trace_state = 'vendor=value';
    if (i % 6 === 0) span.dropped_events_count = 2;
    return span;
  });
}

async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const r = await admin.query(`SELECT count(*)::int AS n FROM "${SCHEMA}"."${table}" WHERE ${where}`, params);
  return r.rows[0].n as number;
}

async function startupError(config: Partial<PostgresBackendConfig>): Promise<PostgresBackendError> {
  const err = await open(config).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PostgresBackendError);
  return err as PostgresBackendError;
}

let backend: Backend;

beforeAll(async () => {
  backend = await open();
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.query(`DROP ROLE IF EXISTS "${ROLE}"`);
  await admin.end();
});

describe('postgres backend', () => {
  it('returns 200 logs and 50 spans from getTrace exactly as written, in time order', async () => {
    const trace = hex(0xabc, 32);
    const logs = makeLogs(trace, 200, 'rt');
    const spans = makeSpans(trace, 50);
    expect(await backend.write({ logs, spans, metrics: [] })).toEqual({ status: 'success' });
    const got = await backend.getTrace!(trace);
    expect(got.logs).toStrictEqual(logs);
    expect(got.spans).toStrictEqual(spans);
  });

  it('stores each record once when the same batch is written twice', async () => {
    const trace = hex(0xdef, 32);
    const batch = { logs: makeLogs(trace, 50, 'twice'), spans: makeSpans(trace, 10), metrics: [] };
    expect((await backend.write(batch)).status).toBe('success');
    expect((await backend.write(batch)).status).toBe('success');
    expect(await count('otel_logs', 'trace_id = $1', [trace])).toBe(50);
    expect(await count('otel_spans', 'trace_id = $1', [trace])).toBe(10);
  });

  it('stores an SQL injection attempt verbatim', async () => {
    const evil = `'); DROP TABLE otel_logs; --`;
    const [log] = makeLogs(hex(0x51, 32), 1, evil);
    log.body = evil;
    log.attributes = { [evil]: evil };
    expect((await backend.write({ logs: [log], spans: [], metrics: [] })).status).toBe('success');
    const got = await backend.getTrace!(log.trace_id!);
    expect(got.logs).toStrictEqual([log]);
    expect(await count('otel_logs', 'body = $1', [evil])).toBe(1);
  });

  it('replaces NUL characters and lone surrogates (which PostgreSQL cannot store) with U+FFFD and counts them', async () => {
    const diag = newDiag();
    const b = await open({}, diag);
    const [log, other] = makeLogs(hex(0x00f, 32), 2, 'nul');
    log.body = 'before\u0000after';
    log.attributes = { 'k\u0000': 'v\u0000', nested: ['\u0000'], lone: 'x\ud800y', pair: '😀' };
    expect((await b.write({ logs: [log, other], spans: [], metrics: [] })).status).toBe('success');
    const got = (await b.getTrace!(log.trace_id!)).logs;
    expect(got[0].body).toBe('before\ufffdafter');
    expect(got[0].attributes).toEqual({ 'k\ufffd': 'v\ufffd', nested: ['\ufffd'], lone: 'x\ufffdy', pair: '😀' });
    expect(got[1]).toStrictEqual(other);
    expect(diag.counters()['postgres.nul_replaced']).toBe(4);
    expect(diag.counters()['postgres.lone_surrogate_replaced']).toBe(1);
  });

  it('rejects only the rows PostgreSQL refuses and stores the rest of the batch', async () => {
    const trace = hex(0xbad, 32);
    const logs = makeLogs(trace, 20, 'mixed');
    logs[3].severity_text = 'X'.repeat(21); // VARCHAR(20)
    logs[11].timestamp = 'not a timestamp';
    const spans = makeSpans(trace, 4);
    spans[2].start_time = '2025-13-45T99:00:00.000000Z';
    const result = await backend.write({ logs, spans, metrics: [] });
    expect(result.status).toBe('failure');
    const ids = result.status === 'failure' ? result.reasons.map((r) => r.id).sort() : [];
    expect(ids).toEqual(['mixed-00003', 'mixed-00011', `${trace}-${spans[2].span_id}`].sort());
    expect(await count('otel_logs', 'trace_id = $1', [trace])).toBe(18);
    expect(await count('otel_spans', 'trace_id = $1', [trace])).toBe(3);
  });

  it('sets up the same schema from two processes starting at once', async () => {
    const fresh = `isotel_test_${RUN}_b`;
    schemas.add(fresh);
    const [a, b] = await Promise.all([open({ schema: fresh }), open({ schema: fresh })]);
    expect(await a.ping!()).toBe(true);
    expect(await b.ping!()).toBe(true);
  });

  it('adds the resource_schema_url column to tables of an earlier isotel version and keeps their rows', async () => {
    const earlier = `isotel_test_${RUN}_earlier`;
    schemas.add(earlier);
    const first = await open({ schema: earlier });
    const trace = hex(0x5c4, 32);
    const [old] = makeLogs(trace, 1, 'before');
    expect((await first.write({ logs: [old], spans: [], metrics: [] })).status).toBe('success');
    await first.close();
    // The tables as the version before schema URLs created them.
    await admin.query(`ALTER TABLE "${earlier}".otel_logs DROP COLUMN resource_schema_url`);
    await admin.query(`ALTER TABLE "${earlier}".otel_spans DROP COLUMN resource_schema_url`);
    const b = await open({ schema: earlier });
    const logs = makeLogs(trace, 3, 'after').slice(1); // records 1 and 2: a resource schema URL on 1
    const spans = makeSpans(trace, 2);
    expect((await b.write({ logs, spans, metrics: [] })).status).toBe('success');
    const got = await b.getTrace!(trace);
    expect(got.logs).toStrictEqual([old, ...logs].sort((x, y) => (x.timestamp < y.timestamp ? -1 : 1)));
    expect(got.logs.find((l) => l.record_id === 'after-00001')?.resource_schema_url).toBe(RESOURCE_SCHEMA_URL);
    expect(got.spans).toStrictEqual(spans);
  });

  it('adopts a table created by the original framework and reads its old rows', async () => {
    const legacy = `isotel_test_${RUN}_legacy`;
    schemas.add(legacy);
    await admin.query(`CREATE SCHEMA "${legacy}"`);
    await admin.query(`CREATE TABLE "${legacy}".otel_logs (id SERIAL PRIMARY KEY, timestamp TIMESTAMPTZ, severity_text VARCHAR(20), severity_number INTEGER,
      body TEXT, trace_id VARCHAR(32), span_id VARCHAR(16), resource JSONB, attributes JSONB)`);
    const trace = hex(0x1e9, 32);
    await admin.query(`INSERT INTO "${legacy}".otel_logs (timestamp, severity_text, severity_number, body, trace_id, resource, attributes)
      VALUES ('2025-07-06T09:59:59.000001Z', 'INFO', 9, 'old row', $1, '{}', '{"a":1}')`, [trace]);
    const b = await open({ schema: legacy });
    const [log] = makeLogs(trace, 1, 'new');
    expect((await b.write({ logs: [log], spans: [], metrics: [] })).status).toBe('success');
    const got = await b.getTrace!(trace);
    expect(got.logs.map((l) => l.record_id)).toEqual(['pg-1', 'new-00000']);
    expect(got.logs[0]).toMatchObject({ body: 'old row', attributes: { a: 1 }, timestamp: '2025-07-06T09:59:59.000001Z' });
  });
});

describe('postgres backend start-up errors', () => {
  it('names config.database when the database does not exist', async () => {
    const err = await startupError({ database: `nope_${RUN}` });
    expect(err.message).toContain(`database "nope_${RUN}" does not exist`);
    expect(err.message).toContain('config.database');
    expect(err.retryable).toBe(false);
  });

  it('names the missing privilege for a user without INSERT', async () => {
    await admin.query(`CREATE ROLE "${ROLE}" LOGIN`);
    await admin.query(`GRANT USAGE ON SCHEMA "${SCHEMA}" TO "${ROLE}"`);
    const err = await startupError({ user: ROLE });
    expect(err.message).toMatch(new RegExp(`permission denied for user "${ROLE}": missing INSERT on table ${SCHEMA}\\.otel_logs`));
    expect(err.message).toContain('check config.user');
  });

  it('names CREATE on the schema when the user cannot create the tables', async () => {
    const bare = `isotel_test_${RUN}_bare`;
    schemas.add(bare);
    await admin.query(`CREATE SCHEMA "${bare}"`);
    await admin.query(`GRANT USAGE ON SCHEMA "${bare}" TO "${ROLE}"`);
    const err = await startupError({ user: ROLE, schema: bare });
    expect(err.message).toContain(`permission denied for schema ${bare}`);
    expect(err.message).toContain(`needs CREATE on schema ${bare}`);
  });

  it('names host and port when nothing listens there, and says it may work later', async () => {
    const port = await closedPort();
    const err = await startupError({ port });
    expect(err.message).toContain(`cannot connect to 127.0.0.1:${port}: connection refused (check config.host/port`);
    expect(err.retryable).toBe(true);
  });

  it('names the field of an invalid table name before connecting', async () => {
    await expect(open({ table_name: 'logs"; DROP' })).rejects.toThrow(/config\.table_name must be a plain SQL identifier/);
  });
});

describe('postgres backend when the connection drops', () => {
  it('answers retryable while the server is unreachable, never crashes, and recovers', async () => {
    const proxy = await startProxy();
    const diag = newDiag();
    const b = await open({ port: proxy.port, connect_timeout_ms: 1000 }, diag);
    const trace = hex(0xd09, 32);
    expect((await b.write({ logs: makeLogs(trace, 5, 'drop-a'), spans: [], metrics: [] })).status).toBe('success');

    await proxy.stop(); // idle pooled connections die: pg emits 'error', which must not reach the process
    const down = await b.write({ logs: makeLogs(trace, 5, 'drop-b'), spans: [], metrics: [] });
    expect(down.status).toBe('retryable');
    if (down.status === 'retryable') {
      expect(down.reason).toMatch(/^postgres backend: connection failed/);
      expect(down.delayMs).toBeGreaterThan(0);
    }
    expect(await b.ping!()).toBe(false);
    expect(diag.counters()['postgres.connection_lost']).toBeGreaterThanOrEqual(1);

    await proxy.start();
    expect((await b.write({ logs: makeLogs(trace, 5, 'drop-b'), spans: [], metrics: [] })).status).toBe('success');
    expect(await count('otel_logs', 'trace_id = $1', [trace])).toBe(10);
    await b.close();
    await b.close(); // idempotent
    expect((await b.write({ logs: [], spans: [], metrics: [] })).status).toBe('retryable');
    await proxy.stop();
  });

  it('answers retryable when the connection is cut in the middle of a COPY, and the retry stores each record once', async () => {
    const proxy = await startProxy();
    const b = await open({ port: proxy.port });
    const trace = hex(0xc0c, 32);
    const logs = makeLogs(trace, 2000, 'cut');
    proxy.cutAfterBytes(200_000); // well inside this batch's ~3 MB of COPY data
    const cut = await b.write({ logs, spans: [], metrics: [] });
    expect(cut).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/^postgres backend: connection failed/) });
    expect(await count('otel_logs', 'trace_id = $1', [trace])).toBe(0);
    expect((await b.write({ logs, spans: [], metrics: [] })).status).toBe('success');
    expect(await count('otel_logs', 'trace_id = $1', [trace])).toBe(2000);
    await proxy.stop();
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP proxy to the real server, so a test can cut connections without stopping PostgreSQL. */
async function startProxy(): Promise<{ port: number; stop(): Promise<void>; start(): Promise<void>; cutAfterBytes(n: number): void }> {
  const sockets = new Set<net.Socket>();
  let port = 0;
  let server: net.Server | undefined;
  let budget = Infinity; // bytes towards the server until every connection is cut
  const start = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(CONN.port, CONN.host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy()); // the peer's close is the signal; the error itself is expected here
      }
      client.on('data', (chunk: Buffer) => {
        budget -= chunk.length;
        if (budget > 0) return;
        budget = Infinity;
        for (const sock of sockets) sock.destroy();
      });
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();
  return { port, stop, start, cutAfterBytes: (n) => (budget = n) };
}
