import { z } from 'zod';
import { strict } from './strict.js';

/**
 * `logger.otlp_export`: where an onward OTLP sink sends (OTEL_EXPORTER_OTLP_ENDPOINT / _HEADERS). Validated
 * and kept in the resolved configuration; no sink reads it yet (the OTLP-onward sink of a later issue will).
 */
export const OtlpExportSchema = strict({
  endpoint: z
    .string()
    .refine((s) => /^https?:\/\/[^/\s?#@]+(?:[/?#]|$)/.test(s) && URL.canParse(s), { error: 'expected an http:// or https:// URL with a host and no credentials' })
    .optional()
    .describe('Base URL of an OTLP/HTTP receiver; /v1/logs, /v1/traces, /v1/metrics are appended (OTEL_EXPORTER_OTLP_ENDPOINT). Unset: no onward export.'),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name'), z.string())
    .default({})
    .describe('Headers sent with every export request, e.g. authorization (OTEL_EXPORTER_OTLP_HEADERS).'),
});

export type OtlpExportConfig = z.output<typeof OtlpExportSchema>;
