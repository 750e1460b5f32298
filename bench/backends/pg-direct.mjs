// The PostgreSQL baseline for bench/backends.mjs: the rows isotel stored (exported beforehand as JSON lines of
// cell values, JSONB columns as objects), encoded to COPY text and loaded with plain COPY ... FROM STDIN
// (pg-copy-streams) straight into the table, 1,000 rows per transaction, as many in flight as isotel's
// delivery channel (2). argv: <rows.jsonl> <schema.table> <columns JSON> <jsonb column indexes JSON>.
// Prints { ns, cpuMs }.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const [file, table, columnsJson, jsonbJson] = process.argv.slice(2);
const columns = JSON.parse(columnsJson);
const jsonb = new Set(JSON.parse(jsonbJson));
const BATCH = 1000;
const IN_FLIGHT = 2;
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const pool = new pg.Pool({ host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: 'postgres', database: 'test', max: IN_FLIGHT });

const escape = (s) => (/[\\\n\r\t]/.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]) : s);
function line(row) {
  let out = '';
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    out += (i === 0 ? '' : '\t') + (v === null ? '\\N' : escape(jsonb.has(i) ? JSON.stringify(v) : String(v)));
  }
  return out + '\n';
}

async function load(from) {
  let text = '';
  for (const row of rows.slice(from, from + BATCH)) text += line(row);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`)));
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

// Connections opened before the clock starts, as isotel's pool is by configureLogger.
const warm = await Promise.all(Array.from({ length: IN_FLIGHT }, () => pool.connect()));
for (const c of warm) c.release();
const cpu = process.cpuUsage();
const t0 = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    for (let from = next; from < rows.length; from = next) {
      next += BATCH;
      await load(from);
    }
  }),
);
const t1 = process.hrtime.bigint();
const used = process.cpuUsage(cpu);
await pool.end();
process.stdout.write(JSON.stringify({ ns: Number(t1 - t0), cpuMs: (used.user + used.system) / 1000 }));
