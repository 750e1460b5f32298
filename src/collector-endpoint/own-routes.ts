/**
 * The ingest's own routes as `logger.tracing.ignore_incoming_paths` patterns (exact, or a prefix with a
 * trailing `*`): an app that hosts the ingest handler at its root adds these so that its OTLP intake, its
 * query API and the explorer's page and calls are not recorded as the app's traffic (mounted under a prefix,
 * prefix each). `isotel serve` itself records no spans of its requests. Not the default of that setting: an
 * app that does not host the ingest may well have an /api/logs or /ui/ of its own.
 */
export const INGEST_OWN_PATHS: readonly string[] = Object.freeze([
  '/v1/logs',
  '/v1/traces',
  '/v1/traces/*',
  '/v1/metrics',
  '/v1/metrics/query',
  '/health',
  '/metrics',
  '/api/services',
  '/api/services/*',
  '/api/operations',
  '/api/traces',
  '/api/traces/*',
  '/api/logs',
  '/ui',
  '/ui/*',
]);

/** Whether `path` (no query) is one of INGEST_OWN_PATHS: how an app hosting the ingest at its root routes to it. */
export function isIngestOwnPath(path: string): boolean {
  return INGEST_OWN_PATHS.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}
