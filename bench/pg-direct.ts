/**
 * PostgreSQL write paths, 50,000 log records, against the real server:
 *   backend.write        the postgres backend end to end (encode + COPY to staging + INSERT ... ON CONFLICT), batches of 1,000
 *   copy+staging         the same SQL path on pre-encoded rows
 *   insert values        parameterised multi-row INSERT ... VALUES ... ON CONFLICT DO NOTHING (1,000 rows per statement)
 *   insert unnest        INSERT ... SELECT * FROM unnest($1::text[], ...) ON CONFLICT DO NOTHING
 *   direct COPY          the baseline: COPY of the same rows straight into the table (not idempotent)
 * Every path gets a freshly truncated table; each figure is the best of `--runs` (default 2).
 *
 *   npx tsx bench/pg-direct.ts [--n=50000] [--batch=1000] [--runs=2]
 * Connection: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), PGDATABASE (test).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LogRecord } from '../src/shared/model.js';
import { createDiag } from '../src/shared/diag.js';
import { createPostgresBackend } from '../src/node/backends/postgres/index.js';
import { newRepairs } from '../src/node/backends/postgres/clean.js';
import { copyChunks } from '../src/node/backends/postgres/copy-format.js';
import { logToRow, type Cell } from '../src/node/backends/postgres/rows.js';
import { LOG_COLUMNS, qualified, quoteIdent } from '../src/node/backends/postgres/schema.js';
import { copyViaStaging, insertUnnest, insertValues, type TableTarget } from '../src/node/backends/postgres/writers.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const N = arg('n', 50_000);
const BATCH = arg('batch', 1000);
const RUNS = arg('runs', 2);
const conn = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};
const SCHEMA = `isotel_bench_${process.pid}`;

function makeLogs(n: number): LogRecord[] {
  const base = Date.parse('2025-07-06T10:00:00Z');
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) {
    const ts = new Date(base + i).toISOString().replace('Z', `${String(i % 1000).padStart(3, '0')}Z`);
    out.push({
      record_id: `bench-${i.toString(36).padStart(8, '0')}`,
      timestamp: ts,
      observed_timestamp: ts,
      severity_text: i % 10 === 0 ? 'ERROR' : 'INFO',
      severity_number: i % 10 === 0 ? 17 : 9,
      body: `Request ${i} handled\tin ${i % 97} ms`,
      trace_id: (i % 5000).toString(16).padStart(32, '0'),
      span_id: i.toString(16).padStart(16, '0'),
      trace_flags: 1,
      attributes: { 'http.request.method': 'GET', 'url.path': `/price/${i}`, 'http.response.status_code': 200, 'user.id': `user${i % 100}`, ratio: i / 7, ok: true, tags: ['a', 'b'] },
      resource: { 'service.name': 'bench', 'service.version': '1.0.0', 'deployment.environment.name': 'bench', 'telemetry.sdk.name': 'isotel' },
      scope: { name: 'isotel', version: '0.1.0' },
    });
  }
  return out;
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function best(label: string, reset: () => Promise<void>, run: () => Promise<void>): Promise<void> {
  let bestMs = Infinity;
  for (let r = 0; r < RUNS; r++) {
    await reset();
    const t0 = performance.now();
    await run();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  console.log(`${label.padEnd(16)} ${Math.round((N / bestMs) * 1000).toLocaleString('en-US').padStart(9)} rows/s  (${bestMs.toFixed(0)} ms for ${N.toLocaleString('en-US')})`);
}

const diag = createDiag(() => {});
const backend = await createPostgresBackend({ ...conn, schema: SCHEMA, pool_size: 1 }, { dataDir: '/tmp', diag });
const pool = new pg.Pool({ ...conn, max: 1 });
const table = qualified(SCHEMA, 'otel_logs');
const target: TableTarget = { table, columns: LOG_COLUMNS, conflict: '(record_id)' };
const reset = async () => {
  await pool.query(`TRUNCATE ${table}`);
};
try {
  const logs = makeLogs(N);
  const t0 = performance.now();
  const repairs = newRepairs();
  const rows: Cell[][] = logs.map((l) => logToRow(l, repairs));
  const encodeMs = performance.now() - t0;
  console.log(`PostgreSQL write paths, ${N.toLocaleString('en-US')} logs, batches of ${BATCH}, best of ${RUNS} (encoding alone: ${Math.round((N / encodeMs) * 1000).toLocaleString('en-US')} rows/s)`);
  const rowBatches = batches(rows, BATCH);
  const inTx = async (fn: (c: pg.PoolClient) => Promise<unknown>) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await fn(c);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };

  await best('backend.write', reset, async () => {
    for (const b of batches(logs, BATCH)) {
      const r = await backend.write({ logs: b, spans: [], metrics: [] });
      if (r.status !== 'success') throw new Error(JSON.stringify(r));
    }
  });
  await best('copy+staging', reset, async () => {
    for (const b of rowBatches) await inTx((c) => copyViaStaging(c, target, b, copyFrom));
  });
  await best('insert values', reset, async () => {
    for (const b of rowBatches) await inTx((c) => insertValues(c, target, b));
  });
  await best('insert unnest', reset, async () => {
    for (const b of rowBatches) await inTx((c) => insertUnnest(c, target, b));
  });
  await best('direct COPY', reset, async () => {
    const cols = LOG_COLUMNS.map((c) => quoteIdent(c.name)).join(', ');
    for (const b of rowBatches) {
      await inTx(async (c) => {
        await pipeline(Readable.from(copyChunks(b)), c.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN`)));
      });
    }
  });
  const count = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
  if (count.rows[0].n !== N) throw new Error(`expected ${N} rows, found ${count.rows[0].n}`);
} finally {
  await backend.close();
  await pool.query(`DROP SCHEMA ${quoteIdent(SCHEMA)} CASCADE`);
  await pool.end();
}
