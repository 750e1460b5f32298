/**
 * Request URLs. Every request states when it was sent (`sent_at`, epoch ms) so the ingest can correct the
 * page's clock skew. Beacons cannot carry headers, so they put the ingest key in the query.
 */
export type Signal = 'logs' | 'traces' | 'metrics';

export function signalUrl(endpoint: string, signal: Signal, sentAtMs: number, ingestKey?: string): string {
  let url = `${endpoint}/v1/${signal}?sent_at=${Math.round(sentAtMs)}`;
  if (ingestKey) url += `&ingest_key=${encodeURIComponent(ingestKey)}`;
  return url;
}
