/**
 * A browser log record from a level, a message and attributes: sanitized (never throws, whatever the
 * page passes), with exception.* attributes for an Error message or an `error`/`err`/`exception`
 * attribute, and the page attributes (session.id, url.full, user_agent.original). Both builds use it.
 */
import type { Diag } from '../../shared/diag.js';
import type { RecordIdGenerator } from '../../shared/ids.js';
import type { AnyValue, Attributes, InstrumentationScope, LogRecord } from '../../shared/model.js';
import { DEFAULT_SANITIZE_LIMITS, sanitizeAttributes, sanitizeValue } from '../../shared/sanitize.js';
import { type Level, SEVERITY_NUMBER } from '../../shared/severity.js';
import { msToIso } from '../../shared/time.js';
import { exceptionAttributes } from '../../shared/exception.js';
import type { PageInfo } from '../page/page-info.js';

export interface LogContext {
  resource: Attributes;
  scope: InstrumentationScope;
  page: PageInfo;
  now: () => number;
  recordId: RecordIdGenerator;
  diag: Diag;
}

const ERROR_KEYS = ['error', 'err', 'exception'] as const;

function isErrorLike(v: unknown): v is Error {
  return v instanceof Error || (typeof v === 'object' && v !== null && typeof (v as { stack?: unknown }).stack === 'string' && 'message' in v);
}

function errorIn(attrs: unknown): unknown {
  if (typeof attrs !== 'object' || attrs === null) return undefined;
  try {
    for (const key of ERROR_KEYS) {
      const v = (attrs as Record<string, unknown>)[key];
      if (isErrorLike(v)) return v;
    }
  } catch {
    // A throwing getter or Proxy trap: the sanitizer has counted it already.
  }
  return undefined;
}

/**
 * A log call, deferred: what the call must read when it is made is read now (the time, the page's address, a
 * shallow copy of the attributes, which the app may reuse), and the returned function builds the record
 * later (initialize.ts: in a microtask, with the other calls of the same task, off the caller's stack).
 * Nested objects and an Error's fields are read then, as sdk-logs, which keeps them by reference.
 */
export function deferLogRecord(ctx: LogContext, level: Level, message: unknown, attrs?: unknown): () => LogRecord {
  const nowMs = ctx.now();
  const url = ctx.page.url();
  let copy = attrs;
  try {
    if (typeof attrs === 'object' && attrs !== null) copy = attrs instanceof Map ? new Map(attrs) : { ...attrs };
  } catch {
    // A Proxy whose traps throw: the sanitizer reads what it can of the original and says so in the record.
  }
  return () => buildLogRecord(ctx, level, message, copy, nowMs, url);
}

export function buildLogRecord(ctx: LogContext, level: Level, message: unknown, attrs?: unknown, nowMs = ctx.now(), url = ctx.page.url()): LogRecord {
  const count = (name: string, n?: number): void => ctx.diag.count(name, n);
  const limits = DEFAULT_SANITIZE_LIMITS;
  const s = sanitizeAttributes(attrs, limits, count);
  const attributes = s.attributes;

  let body: AnyValue;
  if (typeof message === 'string') {
    body = message.length > limits.maxStringLength ? sanitizeValue(message, limits, count) : message;
  } else if (isErrorLike(message)) {
    const ex = exceptionAttributes(message);
    body = (ex['exception.message'] as string) || (ex['exception.type'] as string);
    Object.assign(attributes, ex);
  } else {
    body = sanitizeValue(message, limits, count);
  }
  const err = errorIn(attrs);
  if (err !== undefined) Object.assign(attributes, exceptionAttributes(err));
  ctx.page.annotate(attributes, url);

  const ts = msToIso(nowMs);
  const record: LogRecord = {
    record_id: ctx.recordId(nowMs),
    timestamp: ts,
    observed_timestamp: ts,
    severity_text: level.toUpperCase(), // SEVERITY_TEXT's values, without its table in the bundle
    severity_number: SEVERITY_NUMBER[level],
    body,
    attributes,
    resource: ctx.resource,
    scope: ctx.scope,
  };
  if (s.dropped > 0) record.dropped_attributes_count = s.dropped;
  return record;
}
