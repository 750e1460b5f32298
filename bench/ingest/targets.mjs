// The backends the ingest benchmark measures `isotel serve` with, one at a time: the YAML of the backend, how
// many records it holds afterwards, its direct loader (the baseline for the databases, see direct.mjs) and
// the clean-up of what a run created; and the process figures (CPU, peak RSS) read from /proc. `signal`: 'logs'
// (log records) or 'metrics' (metric points: JSONL's `.metrics.jsonl` file, PostgreSQL's metrics table).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { countLines } from '../lib.mjs';
import { pgDirect, esDirect } from './direct.mjs';

const ES = process.env.ISOTEL_ES_URL ?? 'http://127.0.0.1:9200';
const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres', database: process.env.PGDATABASE ?? 'test' };

async function withPool(fn) {
  const pool = new pg.Pool({ ...PG, max: 1 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

export const targets = {
  filesystem: {
    label: 'JSONL',
    yaml: (dir) => `    - backend_type: filesystem\n      config: { log_file: ${dir}/logs/bench.jsonl, max_bytes: 4294967296 }`,
    stored: (dir, _tag, signal) => countLines(join(dir, 'logs', signal === 'metrics' ? 'bench.metrics.jsonl' : 'bench.jsonl')),
  },
  postgres: {
    label: 'PostgreSQL',
    directName: 'direct COPY',
    yaml: (_dir, tag) => `    - backend_type: postgres\n      config: { host: ${PG.host}, port: ${PG.port}, database: ${PG.database}, user: ${PG.user}, table_name: ${tag}_logs, spans_table_name: ${tag}_spans, metrics_table_name: ${tag}_metrics }`,
    stored: (_dir, tag, signal) => withPool(async (pool) => (await pool.query(`SELECT count(*)::int AS n FROM ${tag}_${signal}`)).rows[0].n),
    direct: (tag, dir, signal) => withPool((pool) => pgDirect(pool, `${tag}_${signal}`, `${tag}_direct`, dir, signal === 'metrics' ? 'ctid' : 'id')),
    cleanup: (tag) => withPool((pool) => pool.query(`DROP TABLE IF EXISTS ${tag}_logs, ${tag}_spans, ${tag}_metrics, ${tag}_direct`)),
  },
  elasticsearch: {
    label: 'Elasticsearch',
    directName: 'direct _bulk',
    yaml: (_dir, tag) => `    - backend_type: elasticsearch\n      config: { hosts: ["${ES}"], index_pattern: "${tag}-logs-%Y.%m.%d", span_index_pattern: "${tag}-traces-%Y.%m.%d", template_name: ${tag} }`,
    async stored(_dir, tag) {
      await fetch(`${ES}/${tag}-logs-*/_refresh`, { method: 'POST' });
      return (await (await fetch(`${ES}/${tag}-logs-*/_count`)).json()).count;
    },
    direct: (tag, dir) => esDirect(ES, `${tag}-logs-*`, `${tag}-logs`, `${tag}-direct`, dir),
    async cleanup(tag) {
      await fetch(`${ES}/${tag}-*`, { method: 'DELETE' });
      await fetch(`${ES}/_index_template/${tag}-*`, { method: 'DELETE' });
    },
  },
};

/** utime + stime of a process, in seconds (Linux /proc; NaN elsewhere, and the column shows NaN). */
export function cpuSeconds(pid) {
  try {
    const fields = readProc(pid, 'stat').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The peak resident set size of a process so far (VmHWM: every thread, workers included), in MB. */
export function peakRssMb(pid) {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readProc(pid, 'status'))[1];
    return Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

function readProc(pid, name) {
  return readFileSync(`/proc/${pid}/${name}`, 'utf8');
}
