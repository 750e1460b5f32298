import { z } from 'zod';
import { BUILTIN_BACKEND_TYPES } from './backend-schemas.js';
import { buildConfigSchema } from './schema.js';

/**
 * The JSON Schema of the YAML file, generated from the same zod schema the loader validates with, so
 * editors complete and check keys: put `# yaml-language-server: $schema=<path>/isotel-config.schema.json`
 * at the top of the file. `npm run schema` writes it to schema/isotel-config.schema.json.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = buildConfigSchema({ documentation: true, knownBackendTypes: BUILTIN_BACKEND_TYPES });
  return z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The file's exact text (two-space JSON and a final newline), shared by the writer and the up-to-date test. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
