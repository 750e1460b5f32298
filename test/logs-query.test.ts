import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../src/collector-endpoint/index.js';
import { dropTagged } from './helpers/cleanup.js';
import { QUERY_BACKENDS as BACKENDS, startQueryServers, type QueryBackend } from './helpers/query-servers.js';

/**
 * The logs query (GET /api/logs) on `isotel serve`, with each backend as the query backend: the same records
 * are sent once (an ingest writing JSONL, PostgreSQL and Elasticsearch), then every filter is asked of an
 * ingest reading from each, and must answer byte for byte the same, and the expected records, newest first
 * (exact time, then record id descending). The data has ties: three records at one millisecond with a fourth
 * 500 ns after them (the same microsecond), three more at another; paging crosses both.
 */
const tag = `lq${randomBytes(3).toString('hex')}`;
const API = `${tag}-api`;
const WORKER = `${tag}-worker`;
type BackendName = QueryBackend;

const MS = 1_000_000n;
const T0 = (BigInt(Date.now()) - 3_600_000n) * MS; // an hour ago, whole milliseconds
const TRACE_B = randomBytes(16).toString('hex');
const TRACE_A = randomBytes(16).toString('hex');
const SCRIPT_BODY = '<script>alert(1)</script> payment failed';
const IMG_ATTR = '"><img src=x onerror=alert(1)>';
const kv = (key: string, value: object) => ({ key, value });
const str = (key: string, v: string) => kv(key, { stringValue: v });

interface LogIn {
  n: number;
  at: bigint;
  sev: number;
  text: string;
  body: object | string;
  attrs?: object[];
  trace?: string;
}

const API_LOGS: LogIn[] = [
  { n: 1, at: T0, sev: 9, text: 'INFO', body: 'user signed in', attrs: [str('http.route', '/login'), str('user.tier', 'gold')], trace: TRACE_A },
  { n: 2, at: T0 + 1000n * MS, sev: 5, text: 'DEBUG', body: 'cache warmed', attrs: [kv('cache.bytes', { intValue: '9007199254740993' }), kv('cache.min', { intValue: '-9223372036854775808' })] },
  { n: 3, at: T0 + 2000n * MS, sev: 13, text: 'WARN', body: 'payment retry scheduled', attrs: [kv('attempt', { intValue: '2' })], trace: TRACE_B },
  { n: 4, at: T0 + 2000n * MS, sev: 17, text: 'ERROR', body: 'Payment DECLINED by bank', attrs: [kv('http.status_code', { intValue: '402' })], trace: TRACE_B },
  { n: 5, at: T0 + 2000n * MS, sev: 9, text: 'INFO', body: 'order created', attrs: [kv('premium', { boolValue: true })], trace: TRACE_B },
  { n: 6, at: T0 + 2000n * MS + 500n, sev: 10, text: 'INFO2', body: 'order shipped' },
  { n: 7, at: T0 + 3000n * MS, sev: 18, text: 'ERROR2', body: SCRIPT_BODY, attrs: [str('note', IMG_ATTR)], trace: TRACE_B },
  { n: 8, at: T0 + 4000n * MS, sev: 9, text: 'INFO', body: { kvlistValue: { values: [str('event', 'payment'), kv('amount', { intValue: '3' })] } } },
  { n: 11, at: T0 - 3n * 24n * 3_600_000n * MS, sev: 9, text: 'INFO', body: 'old payment' },
  { n: 12, at: T0 + 6000n * MS, sev: 0, text: '', body: 'no severity here' },
  { n: 13, at: T0 + 5000n * MS, sev: 17, text: 'ERROR', body: 'payment timeout' },
];
const WORKER_LOGS: LogIn[] = [
  { n: 9, at: T0 + 5000n * MS, sev: 14, text: 'WARN2', body: 'disk almost full', attrs: [str('disk', '/var')] },
  { n: 10, at: T0 + 5000n * MS, sev: 9, text: 'INFO', body: 'job finished' },
];
const rid = (n: number) => `${tag}-r${String(n).padStart(2, '0')}`;

function otlpLog(l: LogIn) {
  return {
    timeUnixNano: String(l.at),
    severityNumber: l.sev,
    severityText: l.text,
    body: typeof l.body === 'string' ? { stringValue: l.body } : l.body,
    attributes: [...(l.attrs ?? []), str('log.record.uid', rid(l.n))],
    ...(l.trace ? { traceId: l.trace, spanId: 'a000000000000001' } : {}),
  };
}

function logsRequest() {
  const resource = (service: string, extra: object[] = []) => ({ attributes: [str('service.name', service), ...extra] });
  return {
    resourceLogs: [
      { resource: resource(API, [str('deployment.environment.name', 'prod')]), scopeLogs: [{ scope: { name: 'shop', version: '1.0.0' }, logRecords: API_LOGS.map(otlpLog) }] },
      { resource: resource(WORKER), scopeLogs: [{ scope: { name: 'jobs' }, logRecords: WORKER_LOGS.map(otlpLog) }] },
    ],
  };
}

let dir: string;
const servers: Partial<Record<BackendName, RunningServer>> = {};


beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-logs-query-'));
  Object.assign(servers, await startQueryServers({ tag, dir, name: 'logs-query-ingest', send: async (url) => {
      const res = await fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logsRequest()) });
      expect(await res.json()).toStrictEqual({});
    } }));
});

afterAll(async () => {
  for (const s of Object.values(servers)) await s?.close();
  await dropTagged(tag);
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
  body: { data: { record_id: string }[] | null; next_cursor: string | null; message?: string };
  headers: Headers;
}

async function get(backend: BackendName, path: string): Promise<Answer> {
  const res = await fetch(`${servers[backend]!.url}${path}`);
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Answer['body'], headers: res.headers };
}

/** The same request of every backend: each answer, checked to be the same text on all three. */
async function everywhere(path: string): Promise<Answer> {
  const answers = await Promise.all(BACKENDS.map((b) => get(b, path)));
  for (const [i, a] of answers.entries()) expect({ status: a.status, body: a.body }, `${BACKENDS[i]}: ${path}`).toStrictEqual({ status: answers[0].status, body: answers[0].body });
  return answers[0];
}

const us = (ns: bigint) => String(ns / 1000n);
const iso = (ns: bigint) => new Date(Number(ns / MS)).toISOString();
const ids = (a: Answer) => (a.body.data ?? []).map((r) => Number(r.record_id.slice(-2)));
const logs = (params: Record<string, string>) => `/api/logs?${new URLSearchParams(params)}`;

const ALL = [12, 13, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 11];
const FILTERS: [string, Record<string, string>, number[]][] = [
  ['nothing: every record, exact time then record id descending', {}, ALL],
  ['a service', { service: API }, [12, 13, 8, 7, 6, 5, 4, 3, 2, 1, 11]],
  ['another service', { service: WORKER }, [10, 9]],
  ['a minimum severity by name (WARN = 13)', { severity_min: 'WARN' }, [13, 9, 7, 4, 3]],
  ['a severity range by name (WARN..WARN = 13..16)', { severity_min: 'warn', severity_max: 'WARN' }, [9, 3]],
  ['a maximum severity (unspecified 0 included)', { severity_max: 'DEBUG' }, [12, 2]],
  ['a minimum severity by number', { severity_min: '17' }, [13, 7, 4]],
  ['a time range in microseconds, inclusive', { start: us(T0 + 2000n * MS), end: us(T0 + 3000n * MS) }, [7, 6, 5, 4, 3]],
  ['start = end: one microsecond (500 ns after it truncates into it)', { start: us(T0 + 2000n * MS), end: us(T0 + 2000n * MS) }, [6, 5, 4, 3]],
  ['an RFC 3339 start', { start: iso(T0 + 5000n * MS) }, [12, 13, 10, 9]],
  ['a trace id', { trace_id: TRACE_B }, [7, 5, 4, 3]],
  ['an int attribute', { 'attr.http.status_code': '402' }, [4]],
  ['a bool attribute', { 'attr.premium': 'true' }, [5]],
  ['two attributes', { 'attr.http.route': '/login', 'attr.user.tier': 'gold' }, [1]],
  ['a resource attribute', { 'attr.deployment.environment.name': 'prod', end: us(T0 + 1000n * MS) }, [2, 1, 11]],
  ['an attribute nothing has', { 'attr.user.tier': 'silver' }, []],
  ['a word of the body (string bodies only, any case)', { q: 'payment' }, [13, 7, 4, 3, 11]],
  ['two words, both required', { q: 'PAYMENT declined' }, [4]],
  ['a word nothing has', { q: 'refund' }, []],
  ['service, severity and text', { service: API, severity_min: 'ERROR', q: 'payment' }, [13, 7, 4]],
  ['service, trace and severity', { service: API, trace_id: TRACE_B, severity_max: 'WARN' }, [5, 3]],
  ['time, attribute and text', { start: us(T0), q: 'payment', 'attr.attempt': '2' }, [3]],
  ['a limit', { limit: '3' }, [12, 13, 10]],
];

describe('logs query: the same answer from JSONL, PostgreSQL and Elasticsearch', () => {
  it.each(FILTERS)('GET /api/logs by %s', async (_name, params, expected) => {
    const a = await everywhere(logs(params));
    expect(a.status).toBe(200);
    expect(ids(a)).toStrictEqual(expected);
  });

  it.each([
    ['every record, 2 a page', {}, ALL],
    ['one service, 3 a page', { service: API, limit: '3' }, [12, 13, 8, 7, 6, 5, 4, 3, 2, 1, 11]],
    ['a text search, 2 a page', { q: 'payment' }, [13, 7, 4, 3, 11]],
  ] as [string, Record<string, string>, number[]][])('pages through %s with cursors, across ties, to a null cursor', async (_name, params, expected) => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const a: Answer = await everywhere(logs({ limit: '2', ...params, ...(cursor ? { cursor } : {}) }));
      expect(a.status).toBe(200);
      seen.push(...ids(a));
      cursor = a.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(seen).toStrictEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / Number(params.limit ?? 2)));
  });

  it('returns the records as stored, in the shared model’s shape, nanoseconds kept', async () => {
    const a = await everywhere(logs({ trace_id: TRACE_B, limit: '1', severity_min: '17', service: API }));
    expect(a.body.data).toStrictEqual([
      {
        record_id: rid(7), timestamp: iso(T0 + 3000n * MS).replace('Z', '000Z'), observed_timestamp: expect.any(String),
        severity_text: 'ERROR2', severity_number: 18, body: SCRIPT_BODY, trace_id: TRACE_B, span_id: 'a000000000000001', trace_flags: 0,
        attributes: { note: IMG_ATTR }, resource: { 'service.name': API, 'deployment.environment.name': 'prod' }, scope: { name: 'shop', version: '1.0.0' },
      },
    ]);
    const six = await everywhere(logs({ start: us(T0 + 2000n * MS), end: us(T0 + 2000n * MS), limit: '1' }));
    expect((six.body.data as unknown as { timestamp: string }[])[0].timestamp).toBe(iso(T0 + 2000n * MS).replace('Z', '000500Z'));
  });

  it('returns an int attribute beyond 2^53 exactly, still an int ({"$int": decimal}), from every backend', async () => {
    const a = await everywhere(logs({ start: us(T0 + 1000n * MS), end: us(T0 + 1000n * MS), limit: '1' }));
    expect((a.body.data as unknown as { attributes: object }[])[0].attributes).toStrictEqual({ 'cache.bytes': { $int: '9007199254740993' }, 'cache.min': { $int: '-9223372036854775808' } });
  });

  it('returns script-bearing bodies and attributes as data: <, > and & escaped, with CSP and nosniff', async () => {
    for (const backend of BACKENDS) {
      const a = await get(backend, logs({ trace_id: TRACE_B, q: 'failed' }));
      expect(a.status, backend).toBe(200);
      expect(a.text, backend).not.toMatch(/[<>&]/);
      expect(a.text, backend).toContain('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e payment failed');
      expect(a.text, backend).toContain('\\"\\u003e\\u003cimg src=x onerror=alert(1)\\u003e');
      expect(a.body.data, backend).toMatchObject([{ body: SCRIPT_BODY, attributes: { note: IMG_ATTR } }]);
      expect(a.headers.get('content-security-policy'), backend).toBe("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
      expect(a.headers.get('x-content-type-options'), backend).toBe('nosniff');
      expect(a.headers.get('content-type'), backend).toBe('application/json');
    }
  });

  it('refuses bad parameters with 400 and an error naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      [logs({ cursor: 'not-a-cursor' }), /^parameter 'cursor'/],
      [logs({ severity_min: 'LOUD' }), /^parameter 'severity_min'/],
      [logs({ start: 'yesterday' }), /^parameter 'start'/],
      [logs({ limit: '0' }), /^parameter 'limit'/],
      [logs({ trace_id: 'xyz' }), /^parameter 'trace_id'/],
      [logs({ q: '***' }), /^parameter 'q'/],
      [logs({ servce: API }), /^parameter 'servce' is unknown/],
    ];
    for (const [path, msg] of cases) {
      const a = await everywhere(path);
      expect(a.status, path).toBe(400);
      expect(a.body.message, path).toMatch(msg);
    }
  });
});
