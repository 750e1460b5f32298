import { describe, it, expect } from 'vitest';
import { indexTemplates, logsMappings, spansMappings, TEMPLATE_PRIORITY } from './template.js';
import { missingType, replaceType } from './install.js';
import { matchesWildcard } from './index-name.js';

describe('indexTemplates', () => {
  it('installs a logs and a traces template above the built-in logs-*-* priority', () => {
    const [logs, traces] = indexTemplates(
      'isotel',
      { wildcard: 'logs-isotel-*.*.*', sample: 'logs-isotel-2025.07.06' },
      { wildcard: 'traces-isotel-*.*.*', sample: 'traces-isotel-2025.07.06' },
      matchesWildcard,
    );
    expect(logs.name).toBe('isotel-logs');
    expect(logs.body.index_patterns).toEqual(['logs-isotel-*.*.*']);
    expect(traces.name).toBe('isotel-traces');
    expect(logs.body.priority).toBe(TEMPLATE_PRIORITY);
    expect(TEMPLATE_PRIORITY).toBeGreaterThan(100);
  });

  it('gives the more specific pattern the higher priority when one covers the other', () => {
    const [logs, traces] = indexTemplates('t', { wildcard: 'app-*', sample: 'app-2025' }, { wildcard: 'app-spans-*', sample: 'app-spans-2025' }, matchesWildcard);
    expect(traces.body.priority).toBeGreaterThan(logs.body.priority);
  });

  it('refuses two patterns that cover each other', () => {
    expect(() => indexTemplates('t', { wildcard: 'app-*', sample: 'app-2025' }, { wildcard: 'app-*', sample: 'app-07' }, matchesWildcard)).toThrow(/span_index_pattern/);
  });
});

describe('mappings', () => {
  it('map attribute maps as flattened and the top level as non-dynamic', () => {
    const logs = logsMappings() as { dynamic: boolean; properties: Record<string, { type?: string; properties?: Record<string, { type?: string }> }> };
    expect(logs.dynamic).toBe(false);
    expect(logs.properties.attributes.type).toBe('flattened');
    expect(logs.properties.resource.properties?.attributes.type).toBe('flattened');
    expect(logs.properties['@timestamp'].type).toBe('date_nanos');
    const spans = spansMappings() as { properties: Record<string, { type?: string; enabled?: boolean }> };
    expect(spans.properties.events).toEqual({ type: 'object', enabled: false });
  });
});

describe('field type fallbacks', () => {
  it('finds the missing type in Elasticsearch error text', () => {
    expect(missingType(new Error('mapper_parsing_exception\n\tRoot causes:\n\t\tmapper_parsing_exception: No handler for type [flattened] declared on field [attributes]'))).toBe('flattened');
    expect(missingType(new Error('mapper_parsing_exception: The mapper type [match_only_text] declared on field [text] does not exist.'))).toBe('match_only_text');
    expect(missingType(new Error('other'))).toBeUndefined();
  });

  it('replaces every use of a type, deeply', () => {
    const out = replaceType(logsMappings(), 'flattened', { type: 'object', enabled: false });
    expect(JSON.stringify(out)).not.toContain('flattened');
    expect(JSON.stringify(out)).toContain('match_only_text');
  });
});
