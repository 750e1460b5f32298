import type { IncomingMessage } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';

/**
 * The optional ingest key, from the `x-isotel-ingest-key` header or, for beacons (which cannot set
 * headers), the `ingest_key` query parameter. Compared in constant time over SHA-256 digests so neither the
 * key's content nor its length leaks through timing. An empty key list means no key is required.
 */
export function createKeyCheck(keys: readonly string[]): (req: IncomingMessage, url: URL) => boolean {
  if (keys.length === 0) return () => true;
  const digests = keys.map((k) => createHash('sha256').update(k).digest());
  return (req, url) => {
    const header = req.headers['x-isotel-ingest-key'];
    const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('ingest_key');
    if (!given) return false;
    const d = createHash('sha256').update(given).digest();
    let ok = false;
    for (const k of digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  };
}
