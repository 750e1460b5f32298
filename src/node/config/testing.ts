import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ConfigError, parseConfigText, type ConfigIssue } from './index.js';

/** Helpers of the configuration tests (load.test.ts, load-errors.test.ts). */
export const SEED = fileURLToPath(new URL('./fixtures/original-logger-config.yaml', import.meta.url));
export const env = {};

/** The issues of the ConfigError that parsing `text` throws. */
export function issuesOf(text: string, opts: Parameters<typeof parseConfigText>[1] = { env }): ConfigIssue[] {
  try {
    parseConfigText(text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}
