import { createRedactor, type Redactor } from '../shared/redact.js';
import type { IngestConfig, RedactConfig } from '../node/engine/index.js';

/**
 * The ingest's redactor: `ingest.redact` builds on `logger.redact`. Keys and patterns of both apply;
 * `replacement` and `use_defaults` set under `ingest.redact` override the logger's.
 */
export function createIngestRedactor(logger: RedactConfig, ingest: IngestConfig['redact']): Redactor {
  return createRedactor({
    keys: [...logger.keys, ...ingest.keys],
    patterns: [...logger.patterns, ...ingest.patterns],
    replacement: ingest.replacement ?? logger.replacement,
    useDefaults: ingest.use_defaults ?? logger.use_defaults,
  });
}
