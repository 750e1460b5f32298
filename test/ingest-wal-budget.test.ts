import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServe, writeYaml, type ServeProcess } from './helpers/serve-process.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

/**
 * The outage test: `isotel serve` with a 16 MiB write-ahead log in front of PostgreSQL, which is cut
 * off for 60 s (a TCP proxy between them stops: the shared server itself keeps running) while clients keep
 * sending. While the log is full every POST gets 503 + Retry-After and /health says the same; after the
 * outage the first 200 comes within one retry period; every acknowledged record is stored exactly once.
 */
const OUTAGE_MS = 60_000;
const BATCH = 200;
const PACE = 2_000; // records per second, so 16 MiB fill in about half the outage
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const tag = `walbudget${process.pid}${Date.now() % 100_000}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let proxy: TcpProxy;
let serve: ServeProcess;
let db: pg.Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-walbudget-'));
  proxy = await startTcpProxy({ host: PG.host, port: PG.port });
  const yaml = writeYaml(join(dir, 'isotel.yaml'), `
logger:
  service_name: wal-budget
  enable_console: false
  data_dir: ${dir}/data
  backends:
    - backend_type: postgres
      config: { host: 127.0.0.1, port: ${proxy.port}, database: test, user: postgres, table_name: ${tag}_logs, spans_table_name: ${tag}_spans,
                connect_timeout_ms: 1000, max_retries: 1, retry_delay: 0.2, circuit_breaker_threshold: 3, circuit_breaker_timeout: 2, health_check_interval: 1 }
ingest:
  wal_dir: ${dir}/wal
  wal_max_bytes: 16777216
  rate_limit: { records_per_second: 100000, burst: 20000 }
`);
  serve = await startServe(yaml, join(dir, 'serve.log'));
  db = new pg.Client(PG);
  await db.connect();
});

afterAll(async () => {
  await serve?.kill('SIGKILL');
  await proxy?.close();
  await db?.query(`DROP TABLE IF EXISTS ${tag}_logs, ${tag}_spans`);
  await db?.end();
  rmSync(dir, { recursive: true, force: true });
});

function body(b: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const logRecords = Array.from({ length: BATCH }, (_, k) => ({
    timeUnixNano: String(now + BigInt(k)),
    severityNumber: 9,
    body: { stringValue: `budget record ${b * BATCH + k} ${'x'.repeat(100)}` },
    attributes: [{ key: 'log.record.uid', value: { stringValue: `${tag}-${b * BATCH + k}` } }],
  }));
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'budget' } }] }, scopeLogs: [{ scope: { name: 's' }, logRecords }] }] });
}

describe('isotel serve with a 16 MiB write-ahead log, PostgreSQL cut off for 60 s', () => {
  it('answers 503 while full (and /health says so), 200 within one retry period after, and stores every acknowledged record once', async () => {
    const acked = new Set<number>();
    const stats = { refused: 0, healthCompared: 0, healthDisagreed: 0, retryAfter: 0 };
    let outageEnd = 0;
    let firstOkAfter = Number.POSITIVE_INFINITY;
    let stopping = false;
    let restarting = false;
    let next = 0;
    const t0 = Date.now();
    const sender = async () => {
      for (let b = next++; !stopping; b = next++) {
        const due = t0 + (b * BATCH * 1000) / PACE;
        if (due > Date.now()) await sleep(due - Date.now());
        for (;;) {
          const res = await fetch(`${serve.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(b) });
          const text = await res.text();
          if (res.status === 200) {
            acked.add(b);
            if (outageEnd && Date.now() > outageEnd) firstOkAfter = Math.min(firstOkAfter, Date.now() - outageEnd);
            break;
          }
          expect(res.status, text).toBe(503);
          stats.refused++;
          const before = restarting;
          const health = await fetch(`${serve.url}/health`);
          const h = (await health.json()) as { wal: { refusing?: string } };
          // Compared only while PostgreSQL is still cut off: once it is back, the log may drain between the
          // POST's 503 and the /health probe, and both answers are right (one of 36 probes did, once).
          const agrees = health.status === 503 && !!h.wal.refusing && text.includes(h.wal.refusing.split(' (')[0]);
          if (!before && !restarting) {
            stats.healthCompared++;
            if (!agrees) stats.healthDisagreed++;
          }
          stats.retryAfter = Number(res.headers.get('retry-after'));
          if (stopping) return;
          await sleep(stats.retryAfter * 1000);
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    await sleep(3_000);
    await proxy.stop();
    await sleep(OUTAGE_MS);
    restarting = true;
    await proxy.start();
    outageEnd = Date.now();
    await sleep(15_000);
    stopping = true;
    await Promise.all(senders);

    // Everything acknowledged reaches PostgreSQL once the log drains.
    const want = acked.size * BATCH;
    let stored = { n: 0, ids: 0 };
    for (let waited = 0; waited < 60_000; waited += 500) {
      const r = await db.query<{ n: number; ids: number }>(`SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS ids FROM ${tag}_logs`);
      stored = r.rows[0];
      if (stored.n >= want) break;
      await sleep(500);
    }
    const missing = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM unnest($1::text[]) AS want(rid) WHERE NOT EXISTS (SELECT 1 FROM ${tag}_logs l WHERE l.record_id = want.rid)`,
      [[...acked].flatMap((b) => Array.from({ length: BATCH }, (_, k) => `${tag}-${b * BATCH + k}`))],
    );
    console.log(`16 MiB WAL, 60 s outage: ${acked.size * BATCH} records acknowledged, ${stats.refused} POSTs answered 503 (Retry-After ${stats.retryAfter} s), /health disagreed ${stats.healthDisagreed} times of ${stats.healthCompared} compared, first 200 ${firstOkAfter} ms after the outage; stored ${stored.n} rows, ${stored.ids} distinct`);
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.healthCompared).toBeGreaterThan(0);
    expect(stats.healthDisagreed).toBe(0);
    expect(firstOkAfter).toBeLessThanOrEqual(stats.retryAfter * 1000 + 3_000);
    expect(missing.rows[0].n).toBe(0);
    expect(stored.n).toBe(stored.ids);
  }, 150_000);
});
