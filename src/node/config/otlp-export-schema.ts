import { z } from 'zod';
import { strict } from './strict.js';

/**
 * `logger.otlp_export`: where the onward OTLP sink sends (OTEL_EXPORTER_OTLP_ENDPOINT / _HEADERS). An endpoint
 * adds an `otlp` backend to the configured ones (schema.ts, withOtlpExport).
 */
export const OtlpExportSchema = strict({
  endpoint: z
    .string()
    .refine((s) => /^https?:\/\/[^/\s?#@]+(?:[/?#]|$)/.test(s) && URL.canParse(s), { error: 'expected an http:// or https:// URL with a host and no credentials' })
    .optional()
    .describe('Base URL of an OTLP/HTTP receiver; /v1/logs, /v1/traces, /v1/metrics are appended (OTEL_EXPORTER_OTLP_ENDPOINT). Unset: no onward export. Set: an otlp backend is added.'),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name'), z.string())
    .default({})
    .describe('Headers sent with every export request, e.g. authorization (OTEL_EXPORTER_OTLP_HEADERS).'),
  protocol: z.enum(['http/protobuf', 'http/json']).default('http/protobuf').describe('Request encoding (OTEL_EXPORTER_OTLP_PROTOCOL; grpc is not supported).'),
  compression: z.enum(['gzip', 'none']).default('none').describe('Request body compression (OTEL_EXPORTER_OTLP_COMPRESSION).'),
});

export type OtlpExportConfig = z.output<typeof OtlpExportSchema>;
