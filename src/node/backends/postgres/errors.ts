import type { ResolvedPostgresConfig } from './config.js';

/**
 * What a PostgreSQL or network error means for isotel: at start-up, a message naming the configuration field
 * to fix; during writes, whether to retry the batch (the server or network is unwell), isolate bad rows
 * (the data is unacceptable), or re-create the tables (someone dropped them).
 */
export type WriteErrorClass =
  | { kind: 'retryable'; delayMs: number; reason: string; schemaMissing?: boolean }
  | { kind: 'data'; reason: string };

/** Thrown by createPostgresBackend. `retryable` says whether the same configuration may work later. */
export class PostgresBackendError extends Error {
  readonly retryable: boolean;
  readonly code?: string;
  constructor(message: string, retryable: boolean, code?: string) {
    super(message);
    this.name = 'PostgresBackendError';
    this.retryable = retryable;
    this.code = code;
  }
}

interface ErrorFacts {
  /** SQLSTATE when the server reported the error, else undefined. */
  sqlState?: string;
  /** Node's system error code (ECONNREFUSED, ...) or TLS code. */
  sysCode?: string;
  message: string;
}

/** Reads an unknown thrown value without trusting its shape (AggregateError from dual-stack connects too). */
export function errorFacts(err: unknown): ErrorFacts {
  if (err === null || typeof err !== 'object') return { message: String(err) };
  const e = err as { code?: unknown; severity?: unknown; message?: unknown; errors?: unknown; detail?: unknown; where?: unknown; column?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const isDb = code !== undefined && typeof e.severity === 'string' && /^[0-9A-Z]{5}$/.test(code);
  let message = typeof e.message === 'string' ? e.message : '';
  if (!message && Array.isArray(e.errors)) message = e.errors.map((x) => errorFacts(x).message).join('; ');
  if (!message) message = code ?? String(err);
  if (isDb) {
    if (typeof e.column === 'string') message += ` (column ${e.column})`;
    if (typeof e.detail === 'string') message += `: ${e.detail}`;
    if (typeof e.where === 'string') message += ` [${e.where.split('\n')[0]}]`;
  }
  return isDb ? { sqlState: code, message } : { sysCode: code, message };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND']);
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|terminating connection|ended unexpectedly|socket hang up/i;

/** The error broke (or may have broken) the connection: the client must be destroyed, not reused. */
export function isConnectionLevel(err: unknown): boolean {
  const f = errorFacts(err);
  if (f.sqlState) return f.sqlState.startsWith('08') || f.sqlState.startsWith('57P');
  return true;
}

/** 23505: a row with the same unique key (record_id, or trace_id + span_id) is already stored. */
export function isUniqueViolation(err: unknown): boolean {
  return errorFacts(err).sqlState === '23505';
}

export function classifyWriteError(err: unknown): WriteErrorClass {
  const f = errorFacts(err);
  const reason = (what: string) => `postgres backend: ${what}: ${f.message}`;
  const s = f.sqlState;
  if (!s) {
    if ((f.sysCode && CONNECTION_CODES.has(f.sysCode)) || CONNECTION_MESSAGES.test(f.message)) {
      return { kind: 'retryable', delayMs: 1000, reason: reason('connection failed') };
    }
    return { kind: 'retryable', delayMs: 5000, reason: reason('write failed') };
  }
  const cls = s.slice(0, 2);
  // 22 data exception, 23 integrity violation, 54 program limit (e.g. an index row over 2.7 kB): this row.
  if (cls === '22' || cls === '23' || cls === '54') return { kind: 'data', reason: `postgres backend: rejected row (${s}): ${f.message}` };
  if (s === '40001' || s === '40P01') return { kind: 'retryable', delayMs: 100, reason: reason(`transaction conflict ${s}`) };
  if (s === '53300') return { kind: 'retryable', delayMs: 2000, reason: reason('too many connections') };
  if (cls === '53') return { kind: 'retryable', delayMs: 5000, reason: reason(`server out of resources (${s})`) };
  if (s === '57014') return { kind: 'retryable', delayMs: 1000, reason: reason('statement timed out (statement_timeout_ms)') };
  if (cls === '08' || cls === '57') return { kind: 'retryable', delayMs: 1000, reason: reason(`server unavailable (${s})`) };
  if (s === '42P01' || s === '42703' || s === '3F000') {
    return { kind: 'retryable', delayMs: 1000, reason: reason('table missing or changed, re-creating it'), schemaMissing: true };
  }
  if (s === '42501') return { kind: 'retryable', delayMs: 30_000, reason: reason('permission denied (the user needs INSERT and SELECT on the tables)') };
  return { kind: 'retryable', delayMs: 5000, reason: reason(`server error ${s}`) };
}

/** The start-up error for a failed connect or set-up, naming the field to check. */
export function startupError(err: unknown, c: ResolvedPostgresConfig): PostgresBackendError {
  const f = errorFacts(err);
  const at = `${c.host}:${c.port}`;
  const msg = (text: string, retry: boolean) => new PostgresBackendError(`postgres backend: ${text}`, retry, f.sqlState ?? f.sysCode);
  switch (f.sqlState) {
    case '28P01':
    case '28000':
      return msg(`authentication failed for user "${c.user}" on ${at} (check config.user/password): ${f.message}`, false);
    case '3D000':
      return msg(`database "${c.database}" does not exist on ${at} (check config.database)`, false);
    case '42501':
      return msg(`${f.message} (the user "${c.user}" needs CREATE on schema ${c.schema} to create ${c.table_name}/${c.spans_table_name}, or an administrator creates them and grants INSERT and SELECT; check config.user and config.schema)`, false);
    case '53300':
      return msg(`too many connections on ${at} (lower config.pool_size or raise max_connections): ${f.message}`, true);
    default:
      break;
  }
  if (f.sqlState?.startsWith('57P') || f.sqlState?.startsWith('08')) return msg(`server at ${at} is not accepting connections (${f.sqlState}): ${f.message}`, true);
  switch (f.sysCode) {
    case 'ECONNREFUSED':
      return msg(`cannot connect to ${at}: connection refused (check config.host/port, and that PostgreSQL is running)`, true);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return msg(`cannot resolve host "${c.host}" (check config.host): ${f.message}`, true);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return msg(`cannot reach ${at}: ${f.message} (check config.host/port)`, true);
    default:
      break;
  }
  if (/timeout/i.test(f.message)) {
    return msg(`connection to ${at} timed out after ${c.connect_timeout_ms} ms (check config.host/port, or raise config.connect_timeout_ms)`, true);
  }
  if (/SSL|TLS|certificate|self[- ]signed/i.test(f.message) || /CERT|TLS|SSL/.test(f.sysCode ?? '')) {
    return msg(`TLS connection to ${at} failed (check config.ssl): ${f.message}`, false);
  }
  if (f.sqlState) return msg(`start-up on ${at} failed (${f.sqlState}): ${f.message}`, false);
  return msg(`cannot connect to ${at}: ${f.message} (check config.host/port)`, true);
}
