import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for browsers sending to the ingest: only origins on the allow-list get CORS headers; a request that
 * carries any other Origin is refused with 403 (browsers would block the response anyway; refusing also
 * stops a foreign page from spending this origin's rate limit). Requests without an Origin (servers,
 * Collectors, curl) are not browser requests and pass.
 */
export const ALLOWED_HEADERS = 'content-type, content-encoding, traceparent, tracestate, x-isotel-ingest-key, authorization, x-isotel-read-key';

export type CorsOutcome = 'pass' | 'preflight-answered' | 'forbidden';

export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): CorsOutcome {
  res.setHeader('Vary', 'Origin');
  const origin = req.headers.origin;
  if (origin === undefined) return req.method === 'OPTIONS' ? answerPreflight(res, undefined) : 'pass';
  // Browsers send Origin on same-origin POSTs too: a page served by the same host is not cross-origin.
  if (isSameOrigin(origin, req.headers.host)) return req.method === 'OPTIONS' ? answerPreflight(res, origin) : 'pass';
  if (!allowed.has(origin) && !allowed.has('*')) return 'forbidden';
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', 'retry-after');
  if (req.method === 'OPTIONS') return answerPreflight(res, origin);
  return 'pass';
}

function answerPreflight(res: ServerResponse, origin: string | undefined): CorsOutcome {
  if (origin !== undefined) {
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.statusCode = 204;
  res.end();
  return 'preflight-answered';
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}
