/**
 * OTLP JSON requests (already parsed, untrusted) to model records, with the OTLP partial-success model:
 * a bad record is rejected with its reason and its valid siblings are kept; a bad resource or scope
 * rejects the records under it. Never throws on any input (invalid limits are a configuration error
 * and do throw, naming the field). Unknown fields are ignored, null means unset (proto3 JSON).
 */
import type { Attributes, InstrumentationScope, LogRecord, SpanRecord } from '../model.js';
import { decodeKeyValueList } from './any-value.js';
import { decodeLogRecord } from './decode-log.js';
import { decodeSpan } from './decode-span.js';
import { isObject, readString } from './fields.js';
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
} from './limits.js';

type RecordDecoder<T> = (ctx: DecodeContext, raw: unknown, resource: Attributes, scope: InstrumentationScope) => T | Invalid;

interface Shape {
  resources: string;
  scopes: string;
  items: string;
}

const LOGS: Shape = { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords' };
const SPANS: Shape = { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' };

export function decodeLogs(body: unknown, limits?: Partial<DecodeLimits>): DecodeResult<LogRecord> {
  return decodeRequest(body, limits, LOGS, decodeLogRecord);
}

export function decodeSpans(body: unknown, limits?: Partial<DecodeLimits>): DecodeResult<SpanRecord> {
  return decodeRequest(body, limits, SPANS, decodeSpan);
}

function decodeResource(ctx: DecodeContext, v: unknown): Attributes | Invalid {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) return fail(ctx, '', 'not an object');
  const attributes = decodeKeyValueList(ctx, v.attributes, 0, true);
  return attributes === INVALID ? within(ctx, '.attributes') : attributes;
}

function decodeScope(ctx: DecodeContext, v: unknown): InstrumentationScope | Invalid {
  if (v === undefined || v === null) return { name: '' };
  if (!isObject(v)) return fail(ctx, '', 'not an object');
  const name = readString(ctx, v.name, ctx.maxKeyLength);
  if (name === INVALID) return within(ctx, '.name');
  const version = readString(ctx, v.version, ctx.maxKeyLength);
  if (version === INVALID) return within(ctx, '.version');
  const attributes = decodeKeyValueList(ctx, v.attributes, 0, true);
  if (attributes === INVALID) return within(ctx, '.attributes');
  const scope: InstrumentationScope = { name: name ?? '' };
  if (version) scope.version = version;
  if (Object.keys(attributes).length > 0) scope.attributes = attributes;
  return scope;
}

/** How many items the scope entries under a rejected resource hold (what could be counted). */
function countItems(scopes: unknown, items: string): number {
  if (!Array.isArray(scopes)) return 0;
  let n = 0;
  for (const s of scopes) {
    const list = isObject(s) ? s[items] : undefined;
    if (Array.isArray(list)) n += list.length;
  }
  return n;
}

/**
 * A parsed JSON body cannot throw while it is read, but `unknown` could be anything (a getter that throws,
 * a revoked Proxy): such a record is rejected with the error's message rather than failing the request.
 */
function decodeGuarded<T>(
  ctx: DecodeContext,
  decodeOne: RecordDecoder<T>,
  raw: unknown,
  resource: Attributes,
  scope: InstrumentationScope,
): T | Invalid {
  try {
    return decodeOne(ctx, raw, resource, scope);
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
  decodeOne: RecordDecoder<T>,
): DecodeResult<T> {
  const ctx = createContext(limits);
  const errors = createErrorList();
  const out: Collected<T> = { records: [], rejected: 0 };
  try {
    walk(body, shape, decodeOne, ctx, errors, out);
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

function walk<T>(
  body: unknown,
  shape: Shape,
  decodeOne: RecordDecoder<T>,
  ctx: DecodeContext,
  errors: { add(message: string): void },
  out: Collected<T>,
): void {
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
  for (let i = 0; i < resources.length; i++) {
    const rPath = `${shape.resources}[${i}]`;
    const entry: unknown = resources[i];
    if (!isObject(entry)) {
      errors.add(`${rPath}: not an object`);
      continue;
    }
    const scopes = entry[shape.scopes];
    const resource = decodeResource(ctx, entry.resource);
    if (resource === INVALID) {
      out.rejected += countItems(scopes, shape.items);
      errors.add(`${rPath}.resource${ctx.errPath}: ${ctx.errMsg}`);
      continue;
    }
    if (scopes === undefined || scopes === null) continue;
    if (!Array.isArray(scopes)) {
      errors.add(`${rPath}.${shape.scopes}: not an array`);
      continue;
    }
    for (let j = 0; j < scopes.length; j++) {
      const sPath = `${rPath}.${shape.scopes}[${j}]`;
      const scopeEntry: unknown = scopes[j];
      if (!isObject(scopeEntry)) {
        errors.add(`${sPath}: not an object`);
        continue;
      }
      const items = scopeEntry[shape.items];
      if (items !== undefined && items !== null && !Array.isArray(items)) {
        errors.add(`${sPath}.${shape.items}: not an array`);
        continue;
      }
      const scope = decodeScope(ctx, scopeEntry.scope);
      if (scope === INVALID) {
        if (items) out.rejected += items.length;
        errors.add(`${sPath}.scope${ctx.errPath}: ${ctx.errMsg}`);
        continue;
      }
      if (!items) continue;
      for (let k = 0; k < items.length; k++) {
        const rec = decodeGuarded(ctx, decodeOne, items[k], resource, scope);
        if (rec === INVALID) {
          out.rejected++;
          errors.add(`${sPath}.${shape.items}[${k}]${ctx.errPath}: ${ctx.errMsg}`);
        } else {
          out.records.push(rec);
        }
      }
    }
  }
}
