/**
 * Writes schema/isotel-config.schema.json from the configuration's zod schema (`npm run schema`).
 * src/node/config/json-schema.test.ts fails when the committed file is out of date.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/node/config/json-schema.js';

const target = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'isotel-config.schema.json');
await mkdir(dirname(target), { recursive: true });
await writeFile(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
