import { describe, expect, it } from 'vitest';
import { isIngestOwnPath as ignored } from './own-routes.js';

// isIngestOwnPath applies the ignore_incoming_paths rule (src/node/instrumentations.ts pathMatcher): exact, or a prefix ending in `*`.

describe('INGEST_OWN_PATHS, isIngestOwnPath', () => {
  it('covers every route the ingest serves: intake, trace reads, query API, explorer, health and metrics', () => {
    const served = ['/v1/logs', '/v1/traces', '/v1/traces/0af7651916cd43dd8448eb211c80319c', '/health', '/metrics', '/api/services', '/api/services/shop/operations', '/api/operations', '/api/traces', '/api/traces/0af7651916cd43dd', '/api/logs', '/ui', '/ui/', '/ui/viewer.js', '/ui/viewer.css'];
    for (const path of served) expect(ignored(path), path).toBe(true);
  });

  it("leaves an app's own routes beside them alone", () => {
    for (const path of ['/api/checkout', '/api/logsearch', '/api/tracesX', '/uix', '/v1/logsx', '/']) expect(ignored(path), path).toBe(false);
  });
});
