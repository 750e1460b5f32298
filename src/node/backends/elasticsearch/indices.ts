import type { ResolvedElasticsearchConfig } from './config.js';
import { compileIndexPattern, matchesWildcard, type IndexPattern } from './index-name.js';
import { indexTemplates, metricsTemplate, type IndexTemplate } from './template.js';

/** The configured index patterns, their templates, and the index expressions trace searches use. */
export interface Indices {
  logs: IndexPattern;
  spans: IndexPattern;
  /** The metrics data stream's name. */
  metrics: string;
  templates: IndexTemplate[];
  logsSearch: string;
  spansSearch: string;
}

/** Compiles and checks both patterns (throwing an Error that names the field) as of `now` (epoch ms). */
export function resolveIndices(cfg: ResolvedElasticsearchConfig, now: number): Indices {
  const logs = compileIndexPattern(cfg.index_pattern, 'index_pattern');
  const spans = compileIndexPattern(cfg.span_index_pattern, 'span_index_pattern');
  for (const [field, p] of [['index_pattern', logs], ['span_index_pattern', spans]] as const) {
    if (matchesWildcard(p.wildcard, cfg.metric_data_stream)) {
      throw new Error(`elasticsearch backend: ${field} "${p.wildcard}" also matches metric_data_stream "${cfg.metric_data_stream}" (check logger.backends[i].config.metric_data_stream)`);
    }
  }
  const templates = indexTemplates(
    cfg.template_name,
    { wildcard: logs.wildcard, sample: logs.format(now) },
    { wildcard: spans.wildcard, sample: spans.format(now) },
    matchesWildcard,
  );
  // When one wildcard also covers the other signal's indices, searches exclude those explicitly.
  const logsSearch = matchesWildcard(logs.wildcard, spans.format(now)) ? `${logs.wildcard},-${spans.wildcard}` : logs.wildcard;
  const spansSearch = matchesWildcard(spans.wildcard, logs.format(now)) ? `${spans.wildcard},-${logs.wildcard}` : spans.wildcard;
  templates.push(metricsTemplate(cfg.template_name, cfg.metric_data_stream));
  return { logs, spans, metrics: cfg.metric_data_stream, templates, logsSearch, spansSearch };
}
