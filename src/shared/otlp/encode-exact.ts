/**
 * Any model records to OTLP JSON with nothing lost: also those decoded from OTLP or read back from a
 * backend, which may hold what an SDK never builds: tagged values (tagged-value.ts), written back as
 * bytesValue / intValue / the kvlist a `$map` wraps, and resource and scope schema URLs.
 *
 * Built on encode.ts, which writes what an SDK builds (every map a kvlist, no schema URLs) and is what the
 * browser bundles: this file adds the rest on top of its output, so the browser builds, at their size
 * budget, do not carry it (in encode.ts it measured +257 B gzipped). Records are encoded in groups of
 * equal (resource schema URL, scope schema URL); a resource met in several groups is merged back into one
 * ResourceLogs / ResourceSpans.
 */
import type { InstrumentationScope, LogRecord, SpanRecord } from '../model.js';
import { tagKind } from '../tagged-value.js';
import { encodeLogs, encodeSpans } from './encode.js';
import type {
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpResource,
  OtlpResourceLogs,
  OtlpResourceSpans,
  OtlpScopeLogs,
  OtlpScopeSpans,
} from './types.js';

/**
 * A kvlist as the plain encoder writes a tagged value, back to the kind it stands for; anything else is
 * recursed into. `tags` false: the kvlist a `$map` wrapped, a map whatever its keys.
 */
function untagValue(v: OtlpAnyValue, tags = true): OtlpAnyValue {
  const list = v.kvlistValue?.values;
  if (list) {
    const only = tags && list.length === 1 ? list[0] : undefined;
    const inner = only?.value;
    if (only && inner) {
      // The test readTagged makes on the model object `{key: <string or map>}`.
      const kind = tagKind(only.key, inner.stringValue ?? (inner.kvlistValue ? {} : undefined));
      if (kind === 'bytes') return { bytesValue: inner.stringValue };
      if (kind === 'int') return { intValue: inner.stringValue };
      if (kind === 'map') return untagValue({ kvlistValue: { values: inner.kvlistValue?.values ?? [] } }, false);
    }
    untagKeyValues(list);
    return v;
  }
  const values = v.arrayValue?.values;
  if (values) for (let i = 0; i < values.length; i++) values[i] = untagValue(values[i]);
  return v;
}

export function untagKeyValues(list: OtlpKeyValue[] | undefined): void {
  if (list) for (const kv of list) if (kv.value) kv.value = untagValue(kv.value);
}

type Grouped = { resource_schema_url?: string; scope: InstrumentationScope };

/** The records by (resource schema URL, scope schema URL), in order of first appearance. */
function bySchemaUrls<T extends Grouped>(records: readonly T[]): { resourceUrl?: string; scopeUrl?: string; records: T[] }[] {
  const parts = new Map<string, { resourceUrl?: string; scopeUrl?: string; records: T[] }>();
  for (const r of records) {
    const resourceUrl = r.resource_schema_url || undefined;
    const scopeUrl = r.scope?.schema_url || undefined;
    const key = `${resourceUrl ?? ''}\n${scopeUrl ?? ''}`;
    let part = parts.get(key);
    if (!part) parts.set(key, (part = { resourceUrl, scopeUrl, records: [] }));
    part.records.push(r);
  }
  return [...parts.values()];
}

interface ResourceGroup<S> {
  resource?: OtlpResource;
  schemaUrl?: string;
  scopes: S[];
}

/** Encodes each part, sets its schema URLs and merges the resource groups that are the same resource. */
function encodeParts<T extends Grouped, S extends { schemaUrl?: string; scope?: { attributes?: OtlpKeyValue[] } }>(
  records: readonly T[],
  encodePart: (records: T[]) => ResourceGroup<S>[],
): ResourceGroup<S>[] {
  const out: ResourceGroup<S>[] = [];
  const byResource = new Map<string, ResourceGroup<S>>();
  for (const part of bySchemaUrls(records)) {
    for (const g of encodePart(part.records)) {
      for (const s of g.scopes) {
        if (part.scopeUrl) s.schemaUrl = part.scopeUrl;
        untagKeyValues(s.scope?.attributes);
      }
      const key = `${part.resourceUrl ?? ''}\n${JSON.stringify(g.resource)}`;
      const same = byResource.get(key);
      if (same) {
        same.scopes.push(...g.scopes);
        continue;
      }
      untagKeyValues(g.resource?.attributes);
      if (part.resourceUrl) g.schemaUrl = part.resourceUrl;
      byResource.set(key, g);
      out.push(g);
    }
  }
  return out;
}

export function encodeLogsExact(records: readonly LogRecord[]): ExportLogsServiceRequest {
  const groups = encodeParts(records, (part) =>
    (encodeLogs(part).resourceLogs ?? []).map((g) => ({ resource: g.resource, scopes: g.scopeLogs ?? [] })),
  );
  const resourceLogs = groups.map((g): OtlpResourceLogs => {
    for (const s of g.scopes) for (const r of s.logRecords ?? []) untagLogRecord(r);
    return g.schemaUrl ? { resource: g.resource, scopeLogs: g.scopes, schemaUrl: g.schemaUrl } : { resource: g.resource, scopeLogs: g.scopes };
  });
  return { resourceLogs };
}

function untagLogRecord(r: NonNullable<OtlpScopeLogs['logRecords']>[number]): void {
  if (r.body) r.body = untagValue(r.body);
  untagKeyValues(r.attributes);
}

export function encodeSpansExact(spans: readonly SpanRecord[]): ExportTraceServiceRequest {
  const groups = encodeParts(spans, (part) =>
    (encodeSpans(part).resourceSpans ?? []).map((g) => ({ resource: g.resource, scopes: g.scopeSpans ?? [] })),
  );
  const resourceSpans = groups.map((g): OtlpResourceSpans => {
    for (const s of g.scopes) for (const span of s.spans ?? []) untagSpan(span);
    return g.schemaUrl ? { resource: g.resource, scopeSpans: g.scopes, schemaUrl: g.schemaUrl } : { resource: g.resource, scopeSpans: g.scopes };
  });
  return { resourceSpans };
}

function untagSpan(s: NonNullable<OtlpScopeSpans['spans']>[number]): void {
  untagKeyValues(s.attributes);
  for (const e of s.events ?? []) untagKeyValues(e.attributes);
  for (const l of s.links ?? []) untagKeyValues(l.attributes);
}
