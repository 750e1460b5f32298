/**
 * The I/O of the sender, injected so tests pass a fake: one HTTP POST. It resolves with the response or
 * rejects on a network error; every decision about the answer is in classify.ts.
 */
export interface TransportRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Lets the request outlive the page (counted against the page's 64 KiB keepalive budget). */
  keepalive: boolean;
}

export interface TransportResponse {
  status: number;
  /** The Retry-After header, if any. */
  retryAfter: string | null;
  text(): Promise<string>;
}

export type RequestFn = (req: TransportRequest) => Promise<TransportResponse>;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The default request function over `fetch` (the page's original fetch, captured before instrumentation). */
export function createFetchRequest(fetchFn: FetchLike): RequestFn {
  return async (req) => {
    const res = await fetchFn(req.url, {
      method: 'POST',
      body: req.body,
      headers: req.headers,
      keepalive: req.keepalive,
      credentials: 'omit',
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), text: () => res.text() };
  };
}

/** The part of navigator.sendBeacon used here. */
export type BeaconFn = (url: string, data: Blob) => boolean;
