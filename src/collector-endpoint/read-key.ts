import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The optional read key (`ingest.read_key`) of the query API: `Authorization: Bearer <key>` or the
 * `x-isotel-read-key` header. It is a key of its own: the ingest key (x-isotel-ingest-key, ?ingest_key=) is
 * never looked at here, and the ingest route never looks at these headers, so neither key opens the other's
 * routes (the configuration refuses a read key equal to an ingest key). No query parameter: a key in a URL
 * ends up in access logs and browser history. Compared in constant time over SHA-256 digests, as the ingest
 * key is. Undefined: no key is required.
 */
export const READ_KEY_REASON = 'missing or wrong read key (header Authorization: Bearer <key>, or x-isotel-read-key)';

export function createReadKeyCheck(key: string | undefined): (req: IncomingMessage) => boolean {
  if (key === undefined) return () => true;
  const digest = createHash('sha256').update(key).digest();
  return (req) => {
    const given = bearer(req.headers.authorization) ?? first(req.headers['x-isotel-read-key']);
    if (given === undefined || given === '') return false;
    return timingSafeEqual(digest, createHash('sha256').update(given).digest());
  };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The credentials of `Bearer <token>` (the scheme is case-insensitive, RFC 9110 §11.1). */
function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return m ? m[1] : undefined;
}

/** The read routes: the query API (/api/*), the trace reads (GET /v1/traces, GET /v1/traces/{id}) and GET /v1/metrics/query. */
export function isReadRoute(method: string | undefined, path: string): boolean {
  if (path.startsWith('/api/')) return true;
  return method === 'GET' && (path === '/v1/traces' || path === '/v1/metrics/query' || /^\/v1\/traces\/[^/]+$/.test(path));
}
