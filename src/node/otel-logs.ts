import { context, type Context } from '@opentelemetry/api';
import type { Logger as OtelLogger, LoggerOptions, LoggerProvider, LogRecord as OtelLogRecord } from '@opentelemetry/api-logs';
import { timeInputToHrTime } from '@opentelemetry/core';
import { exceptionAttributes } from '../shared/exception.js';
import type { Attributes, InstrumentationScope, LogRecord } from '../shared/model.js';
import { sanitizeAttributes } from '../shared/sanitize.js';
import { severityText } from '../shared/severity.js';
import { msToIso } from '../shared/time.js';
import { writeConsole } from './console-output.js';
import { addSpanContext, CORRELATION_ID_KEY, findError, otherBody, redactRecord, type LoggerCore } from './logger-core.js';

/** Loggers kept per (name, version, schema URL); a library asking for more gets uncached ones. */
const MAX_CACHED_LOGGERS = 1000;

/**
 * The `@opentelemetry/api-logs` LoggerProvider isotel registers globally: `logs.getLogger('lib').emit({...})`
 * from any library becomes an isotel LogRecord, built like the logger's own (same limits, redaction, record
 * ids, console output, level filter, buffer), with the scope the library named in getLogger and the trace
 * and span ids of the record's `context` (or the active one).
 */
export function createOtelLoggerProvider(core: LoggerCore): LoggerProvider {
  const loggers = new Map<string, OtelLogger>();
  return {
    getLogger(name: string, version?: string, options?: LoggerOptions): OtelLogger {
      const cacheable = options?.attributes === undefined; // scope attributes take part in identity: not cached
      const key = `${String(name)}\u0000${version ?? ''}\u0000${options?.schemaUrl ?? ''}`;
      const cached = cacheable ? loggers.get(key) : undefined;
      if (cached) return cached;
      const logger = makeLogger(core, scopeOf(core, name, version, options));
      if (cacheable && loggers.size < MAX_CACHED_LOGGERS) loggers.set(key, logger);
      return logger;
    },
  };
}

function makeLogger(core: LoggerCore, scope: InstrumentationScope): OtelLogger {
  return {
    emit: (record) => emitOtelRecord(core, scope, record),
    enabled: (options) => !core.closed && passes(core, options?.severityNumber),
  };
}

function scopeOf(core: LoggerCore, name: unknown, version: unknown, options: LoggerOptions | undefined): InstrumentationScope {
  const scope: InstrumentationScope = { name: typeof name === 'string' && name ? name : 'unknown' };
  if (typeof version === 'string' && version) scope.version = version;
  try {
    if (options?.attributes) scope.attributes = sanitizeAttributes(options.attributes, core.settings.limits, core.count).attributes;
    if (typeof options?.schemaUrl === 'string' && options.schemaUrl) scope.schema_url = options.schemaUrl;
  } catch {
    core.count('logs.scope_unreadable');
  }
  return scope;
}

/** Unspecified severity (absent or 0) always passes: the library did not say, so the level cannot filter it. */
function passes(core: LoggerCore, severityNumber: unknown): boolean {
  return typeof severityNumber !== 'number' || severityNumber <= 0 || severityNumber >= core.settings.minSeverity;
}

/**
 * One api-logs record to an isotel LogRecord and into the buffer. Never throws (a library's logging call
 * must not fail the app): trouble is counted on the diag channel. Exception attributes from `exception`
 * (or an Error under `error`/`err`/`exception`) fill in only what the record's attributes do not already say.
 */
export function emitOtelRecord(core: LoggerCore, scope: InstrumentationScope, rec: OtelLogRecord): void {
  if (core.closed) {
    core.diag.count('logs.after_close');
    return;
  }
  try {
    const num = severityNumberOf(rec.severityNumber);
    if (!passes(core, num)) return;
    const settings = core.settings;
    const now = core.clock.nowMs();
    const observed = msToIso(now);
    const ctx: Context = rec.context ?? context.active();
    const raw = rec.attributes;
    const s = raw === undefined || raw === null ? undefined : sanitizeAttributes(raw, settings.limits, core.count);
    const attributes: Attributes = s ? s.attributes : {};
    const body =
      typeof rec.body === 'string' && rec.body.length <= settings.bodyLimits.maxStringLength
        ? rec.body
        : rec.body === undefined ? null : otherBody(rec.body, attributes, settings.bodyLimits, core.count);
    const err = rec.exception ?? (raw !== null && typeof raw === 'object' ? findError(raw as Record<string, unknown>) : undefined);
    if (err !== undefined) fillMissing(attributes, exceptionAttributes(err));
    const cid = ctx.getValue(CORRELATION_ID_KEY);
    if (typeof cid === 'string' && attributes.correlation_id === undefined) attributes.correlation_id = cid;
    const record: LogRecord = {
      record_id: core.newId(now),
      timestamp: rec.timestamp === undefined ? observed : (timeToIso(rec.timestamp) ?? observed),
      observed_timestamp: observed,
      severity_text: typeof rec.severityText === 'string' && rec.severityText ? rec.severityText : num === 0 ? '' : severityText(num),
      severity_number: num,
      body,
      attributes,
      resource: core.resource,
      scope,
    };
    if (typeof rec.eventName === 'string' && rec.eventName) record.event_name = rec.eventName;
    if (settings.redactor.redactsAnything) redactRecord(record, settings.redactor);
    addSpanContext(record, ctx);
    if (s && s.dropped > 0) record.dropped_attributes_count = s.dropped;
    if (settings.console) writeConsole(record, settings.console);
    core.buffer.pushLog(record);
  } catch (e) {
    core.diag.count('logs.failed');
    core.diag.error('a log record from @opentelemetry/api-logs could not be built', e);
  }
}

function severityNumberOf(n: unknown): number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 24 ? n : 0;
}

/** TimeInput (epoch ms, performance.now() ms, Date, HrTime) to the model's ISO form; undefined when unusable. */
function timeToIso(t: OtelLogRecord['timestamp']): string | undefined {
  try {
    const [sec, nanos] = timeInputToHrTime(t as Parameters<typeof timeInputToHrTime>[0]);
    const ms = sec * 1000 + nanos / 1e6;
    return Number.isFinite(ms) && ms > 0 ? msToIso(ms) : undefined;
  } catch {
    return undefined;
  }
}

function fillMissing(attributes: Attributes, extra: Attributes): void {
  for (const key in extra) if (attributes[key] === undefined) attributes[key] = extra[key];
}
