import pg from 'pg';
import { logFromModel, spanFromModel, type Json, type Store } from './stores.js';

export const PG_CONFIG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  database: process.env.PGDATABASE ?? 'test',
  user: process.env.PGUSER ?? 'postgres',
};

/**
 * The demo's PostgreSQL tables `isotel_demo_logs` and `isotel_demo_spans`, read with plain SQL through a
 * pool: a connection the server drops (a restart by another test run) is replaced on the next query.
 */
export async function postgresStore(): Promise<Store> {
  const pool = new pg.Pool({ ...PG_CONFIG, max: 2, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 10_000 });
  // An idle connection terminated by the server: the pool discards it; the next query opens another.
  pool.on('error', (err) => console.warn(`e2e postgres store: idle connection lost (${err.message})`));
  (await pool.connect()).release(); // fails now, loudly, when PostgreSQL is not there at all
  // The tables are created by the demo on its first write: before that, "no rows" is the answer.
  const query = async (sql: string, params: unknown[]): Promise<Json[]> => {
    try {
      return (await pool.query(sql, params)).rows as Json[];
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') return []; // undefined_table
      throw err;
    }
  };
  const spans = async (where: string, params: unknown[]) =>
    (await query(`SELECT trace_id, span_id, parent_span_id, name, kind, service_name, links, attributes FROM isotel_demo_spans WHERE ${where}`, params)).map(
      (r) => spanFromModel(r, String(r.service_name)),
    );
  const logs = async (where: string, params: unknown[]) =>
    (await query(`SELECT record_id, trace_id, span_id, body, body_json, service_name, attributes FROM isotel_demo_logs WHERE ${where}`, params)).map((r) =>
      logFromModel(r, String(r.service_name), r.body ?? r.body_json),
    );
  return {
    name: 'postgres',
    spansOfTrace: (traceId) => spans('trace_id = $1', [traceId]),
    logsOfTrace: (traceId) => logs('trace_id = $1', [traceId]),
    spansWithAttribute: (key, value) => spans('attributes ->> $1 = $2', [key, value]),
    logsWithAttribute: (key, value) => logs('attributes ->> $1 = $2', [key, value]),
    close: () => pool.end(),
  };
}
