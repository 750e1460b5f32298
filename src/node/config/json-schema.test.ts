import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from './json-schema.js';

const FILE = fileURLToPath(new URL('../../../schema/isotel-config.schema.json', import.meta.url));

describe('configJsonSchema', () => {
  it('matches schema/isotel-config.schema.json (run `npm run schema` after changing the zod schema)', async () => {
    expect(await readFile(FILE, 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes the logger section with defaults and rejects unknown keys, for editors', () => {
    const schema = configJsonSchema() as {
      title: string;
      required: string[];
      properties: { logger: { additionalProperties: boolean; properties: Record<string, { default?: unknown; description?: string }> } };
    };
    expect(schema.title).toBe('isotel configuration');
    expect(schema.required).toEqual(['logger']);
    const logger = schema.properties.logger;
    expect(logger.additionalProperties).toBe(false);
    expect(logger.properties.service_name.default).toBe('isotel-service');
    expect(logger.properties.log_level.default).toBe('INFO');
    expect(logger.properties.backends.description).toMatch(/filesystem/);
  });

  it('gives each built-in backend_type its own config keys', () => {
    const schema = configJsonSchema() as {
      properties: { logger: { properties: { backends: { items: { anyOf: Array<{ properties: Record<string, { const?: string; properties?: object }> }> } } } } };
    };
    const entries = schema.properties.logger.properties.backends.items.anyOf;
    const byType = Object.fromEntries(entries.map((e) => [e.properties.backend_type.const ?? '(custom)', Object.keys(e.properties.config.properties ?? {})]));
    expect(byType.filesystem).toContain('log_file');
    expect(byType.elasticsearch).toContain('hosts');
    expect(byType.postgres).toContain('database');
    expect(byType['(custom)']).toEqual([]);
  });
});
