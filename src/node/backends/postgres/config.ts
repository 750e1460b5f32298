import { promises as fsp } from 'node:fs';
import type { PoolConfig } from 'pg';
import { errorMessage } from '../../../shared/result.js';

/**
 * `backend_type: postgres` configuration, with the keys written in the YAML (snake_case). The zod schema in
 * src/node/config/backend-schemas.ts validates the same keys at load; this module applies the defaults and
 * re-checks what matters for safety (identifiers end up in SQL text, so they are validated here too).
 */
export interface PostgresBackendConfig {
  /** Default `localhost`. */
  host?: string;
  /** Default 5432. */
  port?: number;
  database: string;
  /** Default `postgres`. */
  user?: string;
  password?: string;
  /** Default `otel_logs`. */
  table_name?: string;
  /** Default `otel_spans`. */
  spans_table_name?: string;
  /** Default `metric_points`. */
  metrics_table_name?: string;
  /** Default `public`; created when missing. */
  schema?: string;
  /** TLS: `true`, or `{ ca: <PEM file path or PEM text>, rejectUnauthorized }`. Default false. */
  ssl?: boolean | { ca?: string; rejectUnauthorized?: boolean };
  /** Connections in the pool. Default 4. */
  pool_size?: number;
  /** Default 5000. */
  connect_timeout_ms?: number;
  /** Server-side statement_timeout of every connection. Default 30000. */
  statement_timeout_ms?: number;
}

export const POSTGRES_DEFAULTS = Object.freeze({
  host: 'localhost',
  port: 5432,
  user: 'postgres',
  table_name: 'otel_logs',
  spans_table_name: 'otel_spans',
  metrics_table_name: 'metric_points',
  schema: 'public',
  pool_size: 4,
  connect_timeout_ms: 5000,
  statement_timeout_ms: 30_000,
});

export interface ResolvedPostgresConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  table_name: string;
  spans_table_name: string;
  metrics_table_name: string;
  schema: string;
  ssl: false | { ca?: string; rejectUnauthorized?: boolean };
  pool_size: number;
  connect_timeout_ms: number;
  statement_timeout_ms: number;
}

/** Unquoted-identifier syntax, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** Applies the defaults; throws an Error naming the field (`postgres backend: config.port ...`) when invalid. */
export function resolvePostgresConfig(input: PostgresBackendConfig): ResolvedPostgresConfig {
  const raw: Partial<PostgresBackendConfig> = input ?? {};
  const bad = (field: string, why: string): never => {
    throw new Error(`postgres backend: config.${field} ${why}`);
  };
  const str = (field: keyof PostgresBackendConfig, fallback?: string): string => {
    const v = raw[field];
    if (v === undefined || v === null) {
      if (fallback === undefined) return bad(field, 'is required');
      return fallback;
    }
    if (typeof v !== 'string' || v.length === 0) return bad(field, 'must be a non-empty string');
    return v;
  };
  const int = (field: keyof PostgresBackendConfig, fallback: number, min: number, max: number): number => {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return bad(field, `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
    }
    return v;
  };
  const ident = (field: 'table_name' | 'spans_table_name' | 'metrics_table_name' | 'schema', fallback: string): string => {
    const v = str(field, fallback);
    if (!IDENTIFIER.test(v)) bad(field, `must be a plain SQL identifier (letters, digits, _ and $, not starting with a digit, at most 63 characters; got "${v}")`);
    return v;
  };

  const resolved: ResolvedPostgresConfig = {
    host: str('host', POSTGRES_DEFAULTS.host),
    port: int('port', POSTGRES_DEFAULTS.port, 1, 65_535),
    database: str('database'),
    user: str('user', POSTGRES_DEFAULTS.user),
    table_name: ident('table_name', POSTGRES_DEFAULTS.table_name),
    spans_table_name: ident('spans_table_name', POSTGRES_DEFAULTS.spans_table_name),
    metrics_table_name: ident('metrics_table_name', POSTGRES_DEFAULTS.metrics_table_name),
    schema: ident('schema', POSTGRES_DEFAULTS.schema),
    ssl: resolveSsl(raw.ssl, bad),
    pool_size: int('pool_size', POSTGRES_DEFAULTS.pool_size, 1, 1000),
    connect_timeout_ms: int('connect_timeout_ms', POSTGRES_DEFAULTS.connect_timeout_ms, 1, 600_000),
    statement_timeout_ms: int('statement_timeout_ms', POSTGRES_DEFAULTS.statement_timeout_ms, 0, 86_400_000),
  };
  if (raw.password !== undefined && raw.password !== null) {
    if (typeof raw.password !== 'string') bad('password', 'must be a string');
    resolved.password = raw.password;
  }
  if (resolved.table_name === resolved.spans_table_name) bad('spans_table_name', `must differ from table_name ("${resolved.table_name}")`);
  if ([resolved.table_name, resolved.spans_table_name].includes(resolved.metrics_table_name)) {
    bad('metrics_table_name', `must differ from table_name and spans_table_name ("${resolved.metrics_table_name}")`);
  }
  return resolved;
}

function resolveSsl(v: unknown, bad: (field: string, why: string) => never): ResolvedPostgresConfig['ssl'] {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return {};
  if (typeof v !== 'object' || Array.isArray(v)) return bad('ssl', 'must be true, false or { ca, rejectUnauthorized }');
  const o = v as Record<string, unknown>;
  const out: { ca?: string; rejectUnauthorized?: boolean } = {};
  if (o.ca !== undefined) {
    if (typeof o.ca !== 'string' || o.ca.length === 0) bad('ssl.ca', 'must be a PEM file path or PEM text');
    out.ca = o.ca as string;
  }
  if (o.rejectUnauthorized !== undefined) {
    if (typeof o.rejectUnauthorized !== 'boolean') bad('ssl.rejectUnauthorized', 'must be true or false');
    out.rejectUnauthorized = o.rejectUnauthorized as boolean;
  }
  return out;
}

/** The pg Pool options for a resolved configuration; reads the CA file (an unreadable one names config.ssl.ca). */
export async function buildPoolConfig(c: ResolvedPostgresConfig): Promise<PoolConfig> {
  let ssl: PoolConfig['ssl'] = false;
  if (c.ssl) {
    const tls: { ca?: string; rejectUnauthorized?: boolean } = {};
    if (c.ssl.rejectUnauthorized !== undefined) tls.rejectUnauthorized = c.ssl.rejectUnauthorized;
    if (c.ssl.ca !== undefined) {
      tls.ca = c.ssl.ca.includes('-----BEGIN')
        ? c.ssl.ca
        : await fsp.readFile(c.ssl.ca, 'utf8').catch((err: unknown) => {
            throw new Error(`postgres backend: cannot read config.ssl.ca "${c.ssl && c.ssl.ca}": ${errorMessage(err)}`);
          });
    }
    ssl = tls;
  }
  return {
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    password: c.password,
    ssl,
    max: c.pool_size,
    connectionTimeoutMillis: c.connect_timeout_ms,
    // Server-side limit per statement, and a client-side net a little above it for a silent network.
    statement_timeout: c.statement_timeout_ms === 0 ? undefined : c.statement_timeout_ms,
    query_timeout: c.statement_timeout_ms === 0 ? undefined : c.statement_timeout_ms + c.connect_timeout_ms,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'isotel',
    // Idle clients must not keep the process alive after the application is done.
    allowExitOnIdle: true,
  };
}
