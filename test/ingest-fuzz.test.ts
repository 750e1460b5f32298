import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as http from 'node:http';
import * as net from 'node:net';
import { gzipSync, deflateSync } from 'node:zlib';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createIngestHandler, type IngestHandler } from '../src/collector-endpoint/index.js';
import { modelViolations } from '../src/shared/otlp/fixtures/samples.js';
import type { LogRecord, SpanRecord } from '../src/shared/model.js';
import { hex } from './helpers/otlp.js';
import { seededRandom as rng } from '../src/shared/testing/seeded-random.js';

/**
 * The ingest route against 10,000+ generated hostile requests (seeded: a failure names the seed and the
 * generator). Every one gets a 4xx with a reason, or a 200 (with partial_success when records were refused);
 * never a 5xx, a hang or a crash. Afterwards a valid request still gets 200, memory grew by less than
 * 300 MB, every stored record satisfies the record model, and every valid record of a mixed batch is stored.
 */
const ITERATIONS = 10_000;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? 0x15073) >>> 0;

let dir: string;
let handler: IngestHandler;
let server: http.Server;
let port: number;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-fuzz-'));
  handler = await createIngestHandler({
    config: {
      logger: {
        service_name: 'fuzz-ingest',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'fuzz.jsonl'), max_bytes: 1 << 30 } }],
      },
      ingest: { wal_dir: join(dir, 'wal'), rate_limit: { records_per_second: 1e9, burst: 1e9 } },
    },
    diagSink: () => {},
  });
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  agent.destroy();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await handler?.close();
  rmSync(dir, { recursive: true, force: true });
});

const random = rng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

// ---- valid building blocks ----
let uidCounter = 0;
const str = (s: unknown) => ({ stringValue: s });
const kv = (key: unknown, value: unknown) => ({ key, value });
const nowNanos = () => String(BigInt(Date.now()) * 1_000_000n);
function logRec(uid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const i = ++uidCounter;
  return {
    timeUnixNano: nowNanos(), severityNumber: 9, severityText: 'INFO', body: str(`fuzz ${i}`),
    attributes: [kv('log.record.uid', str(uid)), kv('n', { intValue: String(i) })],
    traceId: hex(i, 32), spanId: hex(i, 16), ...extra,
  };
}
const logsReq = (records: unknown[], resourceAttrs: unknown = [kv('service.name', str('fuzz'))], scope: unknown = { name: 'fuzz' }) => ({
  resourceLogs: [{ resource: { attributes: resourceAttrs }, scopeLogs: [{ scope, logRecords: records }] }],
});
function spanRec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const i = ++uidCounter;
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: hex(i, 32), spanId: hex(i, 16), name: `span ${i}`, kind: 2, startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 1_000_000n), attributes: [kv('i', { intValue: String(i) })], status: { code: 1 },
    events: [{ name: 'e', timeUnixNano: String(start), attributes: [] }], ...extra,
  };
}
const tracesReq = (spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [kv('service.name', str('fuzz'))] }, scopeSpans: [{ scope: { name: 'fuzz' }, spans }] }] });
const fuzzUid = () => `fz-${++uidCounter}`;
const okUid = () => `ok-${++uidCounter}`;

/** A record the decoder must refuse, whatever else is in the request. */
const BROKEN: Array<() => Record<string, unknown>> = [
  () => logRec(fuzzUid(), { traceId: 'XYZ' }),
  () => logRec(fuzzUid(), { spanId: 'abc' }),
  () => logRec(fuzzUid(), { severityNumber: 99 }),
  () => logRec(fuzzUid(), { severityNumber: -1 }),
  () => logRec(fuzzUid(), { body: str('\ud800') }),
  () => logRec(fuzzUid(), { attributes: [kv('__proto__', { kvlistValue: { values: [kv('polluted', str('yes'))] } })] }),
  () => logRec(fuzzUid(), { attributes: [kv('constructor', str('x'))] }),
  () => logRec(fuzzUid(), { attributes: { a: 1 } }),
  () => logRec(fuzzUid(), { timeUnixNano: '946684799999999999' }),
  () => logRec(fuzzUid(), { timeUnixNano: String(BigInt(Date.now() + 3 * 86_400_000) * 1_000_000n) }),
  () => logRec(fuzzUid(), { body: nest(9) }),
  () => logRec(fuzzUid(), { attributes: [kv('k'.repeat(300), str('v'))] }),
  () => logRec(fuzzUid(), { body: { stringValue: 'a', boolValue: true } }),
];
function nest(levels: number): unknown {
  let v: unknown = str('leaf');
  for (let i = 0; i < levels; i++) v = i % 2 ? { arrayValue: { values: [v] } } : { kvlistValue: { values: [kv('k', v)] } };
  return v;
}

/** AnyValue nested `levels` deep as JSON text (JSON.stringify of such a tree would overflow the test's stack). */
const deepAnyValue = (levels: number) => `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels)}{"stringValue":"leaf"}${'}]}}'.repeat(levels)}`;
/** A logs request of one record whose `field` is the given raw JSON text. */
const withRaw = (record: Record<string, unknown>, field: string, raw: string) =>
  JSON.stringify(logsReq([{ ...record, [field]: '@RAW@' }])).replace('"@RAW@"', raw);

const JUNK: unknown[] = [
  null, 0, -1, 1.5, 2 ** 64, 1e300, '', 'x', '\ud800', 'zz', '0'.repeat(32), 'A'.repeat(32), 'CvdlGRbNQ92ESOshHIAxnA==',
  '18446744073709551616', '-1', '1e30', 'abc', true, false, {}, [], [null], [[]], str(5), { intValue: 'x' }, { doubleValue: 'NaN' },
  { bytesValue: '$$' }, { arrayValue: { values: {} } }, 'x'.repeat(70_000), [kv('__proto__', str('p'))], { __proto__: null },
];

// ---- payloads ----
type Expect = 'reject' | 'any' | 'mixed';
interface Payload {
  gen: string;
  method?: string;
  path: string;
  body: Buffer;
  headers: Record<string, string>;
  expect: Expect;
  /** mixed: stored afterwards. */
  validUids?: string[];
  /** mixed: partialSuccess.rejectedLogRecords. */
  rejected?: number;
}
const JSON_CT = { 'content-type': 'application/json' };
const json = (gen: string, body: unknown, expect: Expect, path = '/v1/logs', headers: Record<string, string> = JSON_CT): Payload => ({
  gen, path, body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), headers, expect,
});
const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

/** Sets `value` at a random place of a JSON tree (as an own key, '__proto__' included). */
function mutate(root: unknown): void {
  const slots: Array<[Record<string | number, unknown>, string | number]> = [];
  const walk = (v: unknown) => {
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string | number, unknown>;
    for (const k of Object.keys(o)) {
      slots.push([o, Array.isArray(o) ? Number(k) : k]);
      walk(o[k]);
    }
  };
  walk(root);
  if (slots.length === 0) return;
  const [container, key] = pick(slots);
  const r = int(4);
  if (r === 0 && !Array.isArray(container)) delete container[key];
  else if (r === 1) Object.defineProperty(container, pick(['__proto__', 'constructor', 'prototype', 'toString']), { value: { polluted: 'yes' }, enumerable: true, writable: true, configurable: true });
  else container[key] = pick(JUNK);
}

/** A minimal protobuf ExportLogsServiceRequest writer. */
const pbVarint = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...pbVarint(Math.floor(n / 128))]);
const pbLen = (field: number, bytes: number[]) => [(field << 3) | 2, ...pbVarint(bytes.length), ...bytes];
const pbStr = (field: number, s: string) => pbLen(field, [...Buffer.from(s, 'utf8')]);
const pbFixed64 = (field: number, n: bigint) => [(field << 3) | 1, ...Buffer.from(new BigUint64Array([n]).buffer)];
function protobufLogs(uids: string[]): Buffer {
  const records = uids.flatMap((uid) => pbLen(2, [
    ...pbFixed64(1, BigInt(Date.now()) * 1_000_000n), 2 << 3, 9, ...pbStr(3, 'INFO'), ...pbLen(5, pbStr(1, `pb ${uid}`)),
    ...pbLen(6, [...pbStr(1, 'log.record.uid'), ...pbLen(2, pbStr(1, uid))]),
  ]));
  return Buffer.from(pbLen(1, [...pbLen(1, pbLen(1, [...pbStr(1, 'service.name'), ...pbLen(2, pbStr(1, 'fuzz-pb'))])), ...pbLen(2, [...pbLen(1, pbStr(1, 'pb')), ...records])]));
}

const validLogs = (n: number) => logsReq(Array.from({ length: n }, () => logRec(fuzzUid())));
const injectRawBytes = (s: string, bytes: number[]) => {
  const at = s.indexOf('fuzz ') + 2; // inside a body string
  const b = Buffer.from(s);
  return Buffer.concat([b.subarray(0, at), Buffer.from(bytes), b.subarray(at)]);
};

const GENERATORS: Array<[weight: number, make: () => Payload]> = [
  [8, () => json('random bytes as JSON', randomBytes(3 + int(4000)), 'reject')],
  [8, () => {
    const s = JSON.stringify(validLogs(1 + int(5)));
    return json('truncated JSON', s.slice(0, int(s.length)), 'reject');
  }],
  [20, () => {
    const req = validLogs(1 + int(4));
    for (let i = 0, n = 1 + int(3); i < n; i++) mutate(req);
    return json('wrong types in a logs request', req, 'any');
  }],
  [8, () => {
    const req = tracesReq(Array.from({ length: 1 + int(3) }, () => spanRec()));
    for (let i = 0, n = 1 + int(3); i < n; i++) mutate(req);
    return json('wrong types in a traces request', req, 'any', '/v1/traces');
  }],
  [1, () => pick([
    () => json('huge array of non-records', `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${'0,'.repeat(200_000)}0]}]}]}`, 'reject'),
    () => json('huge attribute list', logsReq([logRec(fuzzUid(), { attributes: Array.from({ length: 50_000 }, (_, i) => kv(`a${i}`, { intValue: '1' })) })]), 'any'),
    () => json('huge array body', logsReq([logRec(fuzzUid(), { body: { arrayValue: { values: Array.from({ length: 100_000 }, () => ({ intValue: '7' })) } } })]), 'any'),
    () => json('huge resource list', { resourceLogs: Array.from({ length: 100_000 }, () => ({})) }, 'any'),
  ])()],
  [2, () => pick([
    () => json('10k-deep AnyValue', withRaw(logRec(fuzzUid()), 'body', deepAnyValue(10_000)), 'reject'),
    () => json('10k-deep top-level array', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'reject'),
    () => json('10k-deep unknown field', withRaw(logRec(fuzzUid()), 'extra', `${'{"x":'.repeat(10_000)}1${'}'.repeat(10_000)}`), 'any'),
    () => json('100k-deep top-level object', `${'{"resourceLogs":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 'reject'),
  ])()],
  [6, () => {
    const s = JSON.stringify(validLogs(1 + int(3)));
    const keys = ['__proto__', 'constructor', 'prototype'];
    const at = [...s.matchAll(/\{/g)].map((m) => m.index);
    const i = pick(at) + 1;
    return json('__proto__/constructor JSON keys', `${s.slice(0, i)}"${pick(keys)}":{"polluted":"yes","resourceLogs":[]},${s.slice(i)}`, 'any');
  }],
  [6, () => json('invalid UTF-8 in a string', injectRawBytes(JSON.stringify(validLogs(1 + int(3))), pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]])), 'any')],
  [6, () => json('invalid UTF-8 outside strings', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xff]), Buffer.from(JSON.stringify(validLogs(1)))]), 'reject')],
  [10, () => mixed('lone surrogates', [
    () => logRec(fuzzUid(), { body: str(`a${pick(['\ud800', '\udfff', '\ud83d'])}b`) }),
    () => logRec(fuzzUid(), { attributes: [kv(`k\udc00`, str('v'))] }),
    () => logRec(fuzzUid(), { attributes: [kv('k', { arrayValue: { values: [str('\ud800')] } })] }),
  ], true)],
  [10, () => mixed('absurd timestamps', [() => logRec(fuzzUid(), {
    [pick(['timeUnixNano', 'observedTimeUnixNano'])]: pick(['-1', '18446744073709551616', '99999999999999999999999', '1e30', 1e300, -5, 'abc', '0x10', '946684799999999999', '1.5', true, [], {}, String(BigInt(Date.now() + 5 * 86_400_000) * 1_000_000n)]),
  })], false)],
  [10, () => mixed('bad hex ids', [() => logRec(fuzzUid(), {
    [pick(['traceId', 'spanId'])]: pick(['zz', 'XYZ', 'g'.repeat(32), '0'.repeat(31), '0'.repeat(33), 'CvdlGRbNQ92ESOshHIAxnA=', 123, true, {}, ['ab'], 'f'.repeat(10_000)]),
  })], true)],
  [6, () => pick([
    () => json('oversized body string', logsReq([logRec(fuzzUid(), { body: str('b'.repeat(70_000 + int(100_000))) })]), 'any'),
    () => json('oversized attribute value', logsReq([logRec(fuzzUid(), { attributes: [kv('big', str('v'.repeat(20_000 + int(100_000))))] })]), 'any'),
    () => mixed('oversized key', [() => logRec(fuzzUid(), { attributes: [kv('k'.repeat(257 + int(5000)), str('v'))] })], true),
    () => json('oversized scope name', logsReq([logRec(fuzzUid())], undefined, { name: 's'.repeat(300 + int(10_000)) }), 'any'),
  ])()],
  [1, () => json('body over max_body_bytes', `{"resourceLogs":[],"pad":"${'p'.repeat(5_300_000)}"}`, 'reject')],
  [6, () => json('wrong content type', validLogs(1), 'reject', '/v1/logs', pick<Record<string, string>>([
    { 'content-type': 'application/xml' }, { 'content-type': 'text/html' }, { 'content-type': 'multipart/form-data; boundary=x' },
    { 'content-type': 'application/json-patch+json' }, { 'content-type': '' }, { 'content-type': 'application/x-www-form-urlencoded' },
    { 'content-type': 'image/png' }, {},
  ]))],
  [8, () => pick([
    () => json('gzip header, random bytes', randomBytes(1 + int(2000)), 'reject', '/v1/logs', { ...JSON_CT, 'content-encoding': 'gzip' }),
    () => json('truncated gzip', gzipSync(JSON.stringify(validLogs(3))).subarray(0, 5 + int(20)), 'reject', '/v1/logs', { ...JSON_CT, 'content-encoding': 'gzip' }),
    () => json('deflate garbage', randomBytes(1 + int(500)), 'reject', '/v1/logs', { ...JSON_CT, 'content-encoding': 'deflate' }),
    () => json('unsupported encoding', deflateSync('{}'), 'reject', '/v1/logs', { ...JSON_CT, 'content-encoding': pick(['br', 'compress', 'gzip, gzip', 'zstd']) }),
    () => json('gzip bomb', gzipSync(Buffer.alloc(20_000_000, 32)), 'reject', '/v1/logs', { ...JSON_CT, 'content-encoding': 'gzip' }),
    () => json('gzip of garbage JSON', gzipSync(randomBytes(100)), 'reject', '/v1/logs', { ...JSON_CT, 'content-encoding': 'gzip' }),
  ])()],
  [8, () => pick([
    () => json('protobuf garbage', randomBytes(1 + int(3000)), 'any', pick(['/v1/logs', '/v1/traces']), { 'content-type': 'application/x-protobuf' }),
    () => {
      const b = protobufLogs([fuzzUid(), fuzzUid()]);
      for (let i = 0, n = 1 + int(4); i < n; i++) b[int(b.length)] = int(256);
      return json('protobuf with flipped bytes', b, 'any', '/v1/logs', { 'content-type': 'application/x-protobuf' });
    },
    () => {
      const b = protobufLogs([fuzzUid()]);
      return json('truncated protobuf', b.subarray(0, 1 + int(b.length - 1)), 'any', '/v1/logs', { 'content-type': 'application/x-protobuf' });
    },
    () => json('protobuf as JSON', protobufLogs([fuzzUid()]), 'reject'),
    () => json('JSON as protobuf', JSON.stringify(validLogs(1)), 'any', '/v1/logs', { 'content-type': 'application/x-protobuf' }),
  ])()],
  [3, () => pick([
    () => ({ ...json('GET on the ingest route', '', 'reject'), method: 'GET' }),
    () => ({ ...json('PUT on the ingest route', validLogs(1), 'reject'), method: 'PUT' }),
    () => json('unknown route', validLogs(1), 'reject', pick(['/v1/logz', '/v1/logs/', '/v2/logs', '/v1/traces/zz'])),
  ])()],
  [8, () => {
    const uids = [okUid(), okUid()];
    return { ...json('valid protobuf', protobufLogs(uids), 'mixed', '/v1/logs', { 'content-type': 'application/x-protobuf' }), validUids: uids, rejected: 0 };
  }],
  [10, () => mixed('mixed batch', BROKEN, true)],
];

/** Valid records (to be stored) shuffled with records from `bad` (each refused when `allBad`). */
function mixed(gen: string, bad: Array<() => Record<string, unknown>>, allBad: boolean): Payload {
  const validUids = Array.from({ length: 1 + int(4) }, okUid);
  const broken = Array.from({ length: 1 + int(4) }, () => pick(bad)());
  const records = [...validUids.map((u) => logRec(u)), ...broken].sort(() => random() - 0.5);
  return { ...json(gen, logsReq(records), 'mixed'), validUids, rejected: allBad ? broken.length : undefined };
}

const totalWeight = GENERATORS.reduce((a, [w]) => a + w, 0);
function generate(): Payload {
  let r = random() * totalWeight;
  for (const [w, make] of GENERATORS) if ((r -= w) < 0) return make();
  return GENERATORS[0][1]();
}

interface Answer {
  status: number;
  type: string;
  body: Buffer;
}
function send(p: Payload): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p.path, method: p.method ?? 'POST', headers: p.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.end(p.body);
  });
}

/** The reason of an error answer: google.rpc.Status as JSON or protobuf (field 2, the message). */
function reasonOf(a: Answer): string {
  if (a.type.includes('json')) return String((JSON.parse(a.body.toString()) as { message?: unknown }).message ?? '');
  const at = a.body.indexOf(0x12);
  return at < 0 ? '' : a.body.subarray(at + 2).toString();
}

function check(p: Payload, a: Answer, storedUids: Set<string>, tally: Map<string, number>): void {
  const where = `${p.gen} ${p.method ?? 'POST'} ${p.path} (seed ${SEED}): ${a.status} ${a.body.toString().slice(0, 300)}`;
  tally.set(`${p.gen} → ${a.status}`, (tally.get(`${p.gen} → ${a.status}`) ?? 0) + 1);
  expect(a.status, where).toBeLessThan(500);
  if (a.status >= 400) {
    expect(p.expect, where).not.toBe('mixed');
    expect(reasonOf(a).length, where).toBeGreaterThan(5);
    return;
  }
  expect(a.status, where).toBe(200);
  expect(p.expect, where).not.toBe('reject');
  for (const u of p.validUids ?? []) storedUids.add(u);
  if (!a.type.includes('json')) return;
  const ok = JSON.parse(a.body.toString()) as { partialSuccess?: { rejectedLogRecords?: string; rejectedSpans?: string; errorMessage?: string } };
  const rejected = Number(ok.partialSuccess?.rejectedLogRecords ?? ok.partialSuccess?.rejectedSpans ?? 0);
  if (rejected > 0) expect(ok.partialSuccess?.errorMessage, where).toBeTruthy();
  if (p.rejected !== undefined) expect(rejected, where).toBe(p.rejected);
}

function readJsonl<T>(file: string): T[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
}

async function accepted(): Promise<{ logs: number; spans: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const n = (signal: string) => Number(new RegExp(`isotel_ingest_records_accepted_total\\{signal="${signal}"\\} (\\d+)`).exec(text)?.[1]);
  return { logs: n('logs'), spans: n('traces') };
}

/** Raw TCP: requests that lie about their length, stop half way or are not HTTP at all. */
async function rawAbuse(): Promise<void> {
  const head = (extra: string) => `POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}\r\n`;
  const cases = [
    `${head('Content-Length: 100000\r\n')}{"resourceLogs":[`,
    `${head('Content-Length: 5\r\n')}{"resourceLogs":[]}`,
    `${head('Transfer-Encoding: chunked\r\n')}zz\r\nabc\r\n`,
    `${head('Content-Length: 10\r\nTransfer-Encoding: chunked\r\n')}0\r\n\r\n`,
    `${head(`X-Big: ${'h'.repeat(20_000)}\r\n`)}`,
    'NOT HTTP AT ALL\r\n\r\n',
    `${head('Content-Length: -1\r\n')}{}`,
  ];
  for (let round = 0; round < 10; round++) {
    await Promise.all(cases.map((data) => new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(data));
      s.on('error', () => resolve()); // the server may reset a connection it refuses: that is an answer too
      s.on('close', () => resolve());
      setTimeout(() => s.destroy(), 30 + int(50));
    })));
  }
}

describe('ingest route under 10,000 hostile requests', () => {
  it('answers each with a 4xx and a reason or a 200, stays up with bounded memory, and stores only valid records', async () => {
    const storedUids = new Set<string>();
    const tally = new Map<string, number>();
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    let next = 0;
    const worker = async () => {
      while (next < ITERATIONS) {
        next++;
        const p = generate();
        const a = await send(p);
        check(p, a, storedUids, tally);
        if (next % 250 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await rawAbuse();

    const control = await send(json('valid control', validLogs(3), 'mixed'));
    expect(control.status).toBe(200);
    expect(JSON.parse(control.body.toString())).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await handler.drain(30_000)).toBe(true);
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
    expect(rssMax - rss0).toBeLessThan(300 * 1024 * 1024);

    const logs = readJsonl<LogRecord>(join(dir, 'logs', 'fuzz.jsonl'));
    const spans = readJsonl<SpanRecord>(join(dir, 'logs', 'fuzz.spans.jsonl'));
    const bad = [
      ...logs.map((r) => [r.record_id, modelViolations('log', r)] as const),
      ...spans.map((s) => [`${s.trace_id}/${s.span_id}`, modelViolations('span', s)] as const),
    ].filter(([, v]) => v.length > 0);
    expect(bad.slice(0, 5).map(([id, v]) => [id, v, JSON.stringify(logs.find((r) => r.record_id === id) ?? {}).slice(0, 400)])).toEqual([]);
    const counts = await accepted();
    expect([logs.length, spans.length]).toEqual([counts.logs, counts.spans]);
    const ids = new Set(logs.map((r) => r.record_id));
    expect([...storedUids].filter((u) => !ids.has(u))).toEqual([]);

    console.log(
      `fuzz: ${ITERATIONS} requests + 70 raw-TCP abuses, seed ${SEED}; stored ${logs.length} logs (${storedUids.size} from mixed batches checked) ` +
        `and ${spans.length} spans; RSS +${((rssMax - rss0) / 1048576).toFixed(0)} MB\n` +
        [...tally].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n'),
    );
  });
});
