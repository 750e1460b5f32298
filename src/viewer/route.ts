/**
 * Hash routes, so the server serves one page and every view has a link to share:
 *   #/search?service=&operation=&tags=&lookback=&from=&to=&minDuration=&maxDuration=&limit=   (the default)
 *   #/trace/{traceID}?span={spanID}
 *   #/logs?service=&severity_min=&severity_max=&lookback=&from=&to=&trace_id=&attr=&q=&limit=
 */
export type Route =
  | { page: 'search'; query: URLSearchParams }
  | { page: 'trace'; traceID: string; span?: string }
  | { page: 'logs'; query: URLSearchParams };

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  const trace = /^\/trace\/([0-9a-fA-F]{1,32})$/.exec(path);
  if (trace) {
    const span = query.get('span');
    return span ? { page: 'trace', traceID: trace[1].toLowerCase(), span } : { page: 'trace', traceID: trace[1].toLowerCase() };
  }
  if (path === '/logs') return { page: 'logs', query };
  return { page: 'search', query };
}

export function traceHref(traceID: string, span?: string): string {
  return `#/trace/${encodeURIComponent(traceID)}${span ? `?span=${encodeURIComponent(span)}` : ''}`;
}

export function searchHref(params: Record<string, string>): string {
  return `#/search?${new URLSearchParams(nonEmpty(params)).toString()}`;
}

export function logsHref(params: Record<string, string>): string {
  return `#/logs?${new URLSearchParams(nonEmpty(params)).toString()}`;
}

function nonEmpty(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));
}
