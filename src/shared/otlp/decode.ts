/**
 * OTLP JSON requests (already parsed, untrusted) to model records, with the OTLP partial-success model:
 * a bad record is rejected with its reason and its valid siblings are kept; a bad resource or scope
 * rejects the records under it. Never throws on any input (invalid limits are a configuration error
 * and do throw, naming the field). Unknown fields are ignored, null means unset (proto3 JSON).
 */
import type { Attributes, InstrumentationScope, LogRecord, MetricPoint, SpanRecord } from '../model.js';
import { decodeKeyValueList } from './any-value.js';
import { decodeLogRecord } from './decode-log.js';
import { decodeSpan } from './decode-span.js';
import { countPoints, decodeMetric } from './decode-metric.js';
import { isObject, readString } from './fields.js';
import { invalidText } from './invalid-text.js';
import {
  createContext,
  createErrorList,
  fail,
  INVALID,
  within,
  type DecodeContext,
  type DecodeLimits,
  type DecodeResult,
  type Invalid,
  type RecordGroup,
} from './limits.js';

type RecordDecoder<T> = (ctx: DecodeContext, raw: unknown, group: RecordGroup) => T | Invalid;

/** Decodes one item of a ScopeX list into `out`: a log record or span is one record, a Metric one per data point. */
type ItemDecoder<T> = (ctx: DecodeContext, raw: unknown, group: RecordGroup, sPath: string, k: number, w: Walk<T>) => void;

/** The item's path, built only when something is refused (a string per record would cost on the hot path). */
const itemPath = (sPath: string, k: number, w: Walk<unknown>) => `${sPath}.${w.shape.items}[${k}]`;

interface Shape {
  resources: string;
  scopes: string;
  items: string;
  /** The records an item holds (what a fault above it rejects). */
  count(item: unknown): number;
}

const one = () => 1;
const LOGS: Shape = { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords', count: one };
const SPANS: Shape = { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans', count: one };
const METRICS: Shape = { resources: 'resourceMetrics', scopes: 'scopeMetrics', items: 'metrics', count: countPoints };

export function decodeLogs(body: unknown, limits?: Partial<DecodeLimits>): DecodeResult<LogRecord> {
  return decodeRequest(body, limits, LOGS, single(decodeLogRecord));
}

export function decodeSpans(body: unknown, limits?: Partial<DecodeLimits>): DecodeResult<SpanRecord> {
  return decodeRequest(body, limits, SPANS, single(decodeSpan));
}

/**
 * An ExportMetricsServiceRequest to metric points, one per data point; `rejected` counts data points (the OTLP
 * response's rejected_data_points), each refusal with its path and reason.
 */
export function decodeMetrics(body: unknown, limits?: Partial<DecodeLimits>): DecodeResult<MetricPoint> {
  return decodeRequest<MetricPoint>(body, limits, METRICS, (ctx, raw, group, sPath, k, w) =>
    decodeMetric(ctx, raw, group, itemPath(sPath, k, w as Walk<unknown>), {
      ok: (p) => void w.out.records.push(p),
      bad: (message, n) => {
        w.out.rejected += n;
        w.errors.add(message);
      },
    }),
  );
}

/** An item that is one record: kept, or rejected with its reason. */
function single<T>(decodeOne: RecordDecoder<T>): ItemDecoder<T> {
  return (ctx, raw, group, sPath, k, w) => {
    const rec = decodeGuarded(ctx, decodeOne, raw, group);
    if (rec === INVALID) {
      w.out.rejected++;
      w.errors.add(`${itemPath(sPath, k, w as Walk<unknown>)}${ctx.errPath}: ${ctx.errMsg}`);
    } else {
      w.out.records.push(rec);
    }
  };
}

function decodeResource(ctx: DecodeContext, v: unknown): Attributes | Invalid {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) return fail(ctx, '', 'not an object');
  const bad = invalidText(v);
  if (bad) return fail(ctx, '', bad);
  const attributes = decodeKeyValueList(ctx, v.attributes, 0, true);
  return attributes === INVALID ? within(ctx, '.attributes') : attributes;
}

/** A ResourceX/ScopeX schemaUrl (a protobuf one with invalid UTF-8 carries the reason on its message). */
function decodeSchemaUrl(ctx: DecodeContext, entry: Record<string, unknown>): string | undefined | Invalid {
  const bad = invalidText(entry);
  if (bad) return fail(ctx, '', bad);
  const url = readString(ctx, entry.schemaUrl, ctx.maxValueLength);
  return url === INVALID ? within(ctx, '.schemaUrl') : url || undefined;
}

function decodeScope(ctx: DecodeContext, v: unknown, schemaUrl: string | undefined): InstrumentationScope | Invalid {
  if (v === undefined || v === null) return schemaUrl ? { name: '', schema_url: schemaUrl } : { name: '' };
  if (!isObject(v)) return fail(ctx, '', 'not an object');
  const bad = invalidText(v);
  if (bad) return fail(ctx, '', bad);
  const name = readString(ctx, v.name, ctx.maxKeyLength);
  if (name === INVALID) return within(ctx, '.name');
  const version = readString(ctx, v.version, ctx.maxKeyLength);
  if (version === INVALID) return within(ctx, '.version');
  const attributes = decodeKeyValueList(ctx, v.attributes, 0, true);
  if (attributes === INVALID) return within(ctx, '.attributes');
  const scope: InstrumentationScope = { name: name ?? '' };
  if (version) scope.version = version;
  if (Object.keys(attributes).length > 0) scope.attributes = attributes;
  if (schemaUrl) scope.schema_url = schemaUrl;
  return scope;
}

/** How many records the scope entries under a rejected resource hold (what could be counted). */
function countItems(scopes: unknown, shape: Shape): number {
  if (!Array.isArray(scopes)) return 0;
  let n = 0;
  for (const s of scopes) {
    const list = isObject(s) ? s[shape.items] : undefined;
    if (Array.isArray(list)) n += countList(list, shape);
  }
  return n;
}

function countList(list: unknown[], shape: Shape): number {
  let n = 0;
  for (const item of list) n += shape.count(item);
  return n;
}

/**
 * A parsed JSON body cannot throw while it is read, but `unknown` could be anything (a getter that throws,
 * a revoked Proxy): such a record is rejected with the error's message rather than failing the request.
 */
function decodeGuarded<T>(ctx: DecodeContext, decodeOne: RecordDecoder<T>, raw: unknown, group: RecordGroup): T | Invalid {
  try {
    return decodeOne(ctx, raw, group);
  } catch (err) {
    return fail(ctx, '', `unreadable (${err instanceof Error ? err.message : 'non-JSON value'})`);
  }
}

interface Collected<T> {
  records: T[];
  rejected: number;
}

function decodeRequest<T>(
  body: unknown,
  limits: Partial<DecodeLimits> | undefined,
  shape: Shape,
  each: ItemDecoder<T>,
): DecodeResult<T> {
  const ctx = createContext(limits);
  const errors = createErrorList();
  const out: Collected<T> = { records: [], rejected: 0 };
  try {
    walk(body, { shape, each, ctx, errors, out });
  } catch (err) {
    // Only a non-JSON body (a throwing getter, a revoked Proxy) gets here; what was decoded is kept.
    errors.add(`request: unreadable (${err instanceof Error ? err.message : 'non-JSON value'})`);
  }
  return {
    records: out.records,
    rejected: out.rejected,
    errors: errors.list(),
    truncated: ctx.truncated,
    droppedAttributes: ctx.droppedAttributes,
  };
}

interface Walk<T> {
  shape: Shape;
  each: ItemDecoder<T>;
  ctx: DecodeContext;
  errors: { add(message: string): void };
  out: Collected<T>;
}

function walk<T>(body: unknown, w: Walk<T>): void {
  const { shape, errors } = w;
  if (!isObject(body)) {
    errors.add('request: not an OTLP JSON object');
    return;
  }
  const resources = body[shape.resources];
  if (resources === undefined || resources === null) return;
  if (!Array.isArray(resources)) {
    errors.add(`${shape.resources}: not an array`);
    return;
  }
  for (let i = 0; i < resources.length; i++) walkResource(resources[i], `${shape.resources}[${i}]`, w);
}

function walkResource<T>(entry: unknown, rPath: string, w: Walk<T>): void {
  const { shape, ctx, errors, out } = w;
  if (!isObject(entry)) {
    errors.add(`${rPath}: not an object`);
    return;
  }
  const scopes = entry[shape.scopes];
  const resource = decodeResource(ctx, entry.resource);
  const schemaUrl = resource === INVALID ? resource : decodeSchemaUrl(ctx, entry);
  if (resource === INVALID || schemaUrl === INVALID) {
    out.rejected += countItems(scopes, shape);
    errors.add(`${rPath}${resource === INVALID ? '.resource' : ''}${ctx.errPath}: ${ctx.errMsg}`);
    return;
  }
  if (scopes === undefined || scopes === null) return;
  if (!Array.isArray(scopes)) {
    errors.add(`${rPath}.${shape.scopes}: not an array`);
    return;
  }
  for (let j = 0; j < scopes.length; j++) walkScope(scopes[j], `${rPath}.${shape.scopes}[${j}]`, resource, schemaUrl, w);
}

function walkScope<T>(scopeEntry: unknown, sPath: string, resource: Attributes, resourceSchemaUrl: string | undefined, w: Walk<T>): void {
  const { shape, ctx, errors, out } = w;
  if (!isObject(scopeEntry)) {
    errors.add(`${sPath}: not an object`);
    return;
  }
  const items = scopeEntry[shape.items];
  if (items !== undefined && items !== null && !Array.isArray(items)) {
    errors.add(`${sPath}.${shape.items}: not an array`);
    return;
  }
  const schemaUrl = decodeSchemaUrl(ctx, scopeEntry);
  const scope = schemaUrl === INVALID ? schemaUrl : decodeScope(ctx, scopeEntry.scope, schemaUrl);
  if (scope === INVALID) {
    if (items) out.rejected += countList(items, shape);
    errors.add(`${sPath}${schemaUrl === INVALID ? '' : '.scope'}${ctx.errPath}: ${ctx.errMsg}`);
    return;
  }
  if (!items) return;
  const group: RecordGroup = { resource, resourceSchemaUrl, scope };
  for (let k = 0; k < items.length; k++) w.each(ctx, items[k], group, sPath, k, w);
}
