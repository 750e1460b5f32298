/**
 * The composable index templates isotel installs: one for logs, one for spans, in the OpenTelemetry
 * Collector's `otel` mapping shape. Attribute maps are `flattened` fields: the whole map is one field in
 * the mapping however many distinct keys arrive (10,000 distinct keys add zero fields), every leaf is
 * still searchable as `attributes.<key>` (term/range on keywords), and `_source` keeps the original
 * JSON types for exact round trips.
 *
 * The top level is `dynamic: false`: a field isotel does not map is kept in `_source` but never added
 * to the mapping, so nothing in a record can grow the mapping.
 */

/**
 * Values longer than this (in characters) are kept in `_source` but not indexed: Lucene refuses terms
 * over 32,766 bytes, and a character takes up to 4 bytes. A flattened leaf's term is `key\0value`, so
 * its limit leaves room for long keys; without these limits a 40 KB attribute fails the whole record.
 */
const IGNORE_ABOVE = 8191;
const FLATTENED_IGNORE_ABOVE = 4096;

/**
 * Attribute maps nest at most 8 levels after the SDK's sanitizer; foreign OTLP clients may send deeper
 * values, and a document deeper than this is refused (a failure for that record only).
 */
const FLATTENED_DEPTH_LIMIT = 32;

/** Higher than the built-in `logs-*-*` / `traces-*-*` templates (100), which would make data streams. */
export const TEMPLATE_PRIORITY = 200;

type Mapping = Record<string, unknown>;

const keyword: Mapping = { type: 'keyword', ignore_above: IGNORE_ABOVE };
const dateNanos: Mapping = { type: 'date_nanos' };
const flattened: Mapping = { type: 'flattened', depth_limit: FLATTENED_DEPTH_LIMIT, ignore_above: FLATTENED_IGNORE_ABOVE };
/** Stored in `_source` only: round-trips exactly, never parsed, never mapped. */
const stored: Mapping = { type: 'object', enabled: false };

function scope(): Mapping {
  return {
    properties: {
      name: keyword,
      version: keyword,
      attributes: flattened,
      dropped_attributes_count: { type: 'integer' },
      schema_url: keyword,
    },
  };
}

function resource(): Mapping {
  return { properties: { attributes: flattened, dropped_attributes_count: { type: 'integer' }, schema_url: keyword } };
}

export function logsMappings(): Mapping {
  return {
    dynamic: false,
    properties: {
      '@timestamp': dateNanos,
      observed_timestamp: dateNanos,
      record_id: keyword,
      severity_text: keyword,
      severity_number: { type: 'byte' },
      trace_id: keyword,
      span_id: keyword,
      trace_flags: { type: 'integer' },
      event_name: keyword,
      body: {
        properties: {
          text: { type: 'match_only_text' },
          structured: flattened,
          value: stored,
        },
      },
      attributes: flattened,
      dropped_attributes_count: { type: 'integer' },
      resource: resource(),
      scope: scope(),
    },
  };
}

export function spansMappings(): Mapping {
  return {
    dynamic: false,
    properties: {
      '@timestamp': dateNanos,
      end_time: dateNanos,
      duration_ms: { type: 'double' },
      trace_id: keyword,
      span_id: keyword,
      parent_span_id: keyword,
      trace_state: { type: 'keyword', index: false, doc_values: false },
      trace_flags: { type: 'integer' },
      name: keyword,
      kind: keyword,
      status: { properties: { code: keyword, message: keyword } },
      attributes: flattened,
      events: stored,
      links: stored,
      resource: resource(),
      scope: scope(),
      dropped_attributes_count: { type: 'integer' },
      dropped_events_count: { type: 'integer' },
      dropped_links_count: { type: 'integer' },
    },
  };
}

const HISTOGRAM: Mapping = { type: 'histogram' };
const SUMMARY: Mapping = { type: 'aggregate_metric_double', metrics: ['sum', 'value_count'], default_metric: 'sum' };

/**
 * The metrics data stream (metric-documents.ts): `metrics.<name>` is mapped per point by the bulk action's
 * `dynamic_templates`, as the Collector's `otel` mode does. Elasticsearch does not check a dynamic template's
 * type when the template is installed, only when a document uses it, so the two types are also declared once
 * under `_types` (never written: the top level is not dynamic): a distribution without them (no x-pack analytics)
 * then refuses the template at once, and install.ts stores such values in `_source` only instead.
 */
export function metricsMappings(): Mapping {
  return {
    dynamic: false,
    dynamic_templates: [
      { double_metric: { mapping: { type: 'double' } } },
      { histogram_metric: { mapping: HISTOGRAM } },
      { summary_metric: { mapping: SUMMARY } },
    ],
    properties: {
      '@timestamp': dateNanos,
      start_timestamp: dateNanos,
      point_id: keyword,
      name: keyword,
      type: keyword,
      temporality: keyword,
      monotonic: { type: 'boolean' },
      unit: keyword,
      description: { type: 'keyword', index: false, doc_values: false },
      flags: { type: 'integer' },
      data_stream: { properties: { type: keyword, dataset: keyword, namespace: keyword } },
      attributes: flattened,
      resource: resource(),
      scope: scope(),
      metrics: { type: 'object', dynamic: true },
      point: stored,
      value_int: { type: 'long' },
      exemplars: stored,
      _types: { properties: { histogram: HISTOGRAM, summary: SUMMARY } },
    },
  };
}

export interface IndexTemplate {
  name: string;
  body: {
    index_patterns: string[];
    priority: number;
    template: { mappings: Mapping };
    _meta: Record<string, unknown>;
    /** Set for the metrics template: its index is a data stream. */
    data_stream?: Record<string, never>;
  };
}

/** The metrics data stream's template: exactly its name, above the built-in `metrics-*-*` (priority 100). */
export function metricsTemplate(templateName: string, dataStream: string): IndexTemplate {
  return {
    name: `${templateName}-metrics`,
    body: {
      index_patterns: [dataStream],
      priority: TEMPLATE_PRIORITY + 2,
      data_stream: {},
      template: { mappings: metricsMappings() },
      _meta: { managed_by: 'isotel', mapping: 'otel' },
    },
  };
}

/**
 * The two templates for the configured patterns (`logs-isotel-*.*.*` from `logs-isotel-%Y.%m.%d`).
 * When one pattern's indices would also match the other's wildcard (`app-%Y` and `app-spans-%Y`), the
 * more specific one gets the higher priority, so each index takes its own template; Elasticsearch
 * refuses two overlapping templates of equal priority.
 */
export function indexTemplates(
  templateName: string,
  logs: { wildcard: string; sample: string },
  spans: { wildcard: string; sample: string },
  matches: (pattern: string, name: string) => boolean,
): IndexTemplate[] {
  const spansSpecific = matches(logs.wildcard, spans.sample);
  const logsSpecific = matches(spans.wildcard, logs.sample);
  if (spansSpecific && logsSpecific) {
    throw new Error(
      `elasticsearch backend: index_pattern and span_index_pattern must not match each other's indices ` +
        `("${logs.wildcard}" vs "${spans.wildcard}") (check logger.backends[i].config.span_index_pattern)`,
    );
  }
  const meta = { managed_by: 'isotel', mapping: 'otel' };
  return [
    {
      name: `${templateName}-logs`,
      body: {
        index_patterns: [logs.wildcard],
        priority: TEMPLATE_PRIORITY + (logsSpecific ? 1 : 0),
        template: { mappings: logsMappings() },
        _meta: meta,
      },
    },
    {
      name: `${templateName}-traces`,
      body: {
        index_patterns: [spans.wildcard],
        priority: TEMPLATE_PRIORITY + (spansSpecific ? 1 : 0),
        template: { mappings: spansMappings() },
        _meta: meta,
      },
    },
  ];
}
