import type { KeyStore } from './read-key.js';
import type { Envelope, LogRecord, Trace } from './types.js';

/**
 * The viewer's calls to `isotel serve` (same origin): the Jaeger query API and the logs query. Every call
 * carries the read key when one is stored. A refusal becomes an ApiError with the server's reason; 401
 * tells the page to ask for the key.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface LogsPage {
  data: LogRecord[];
  next_cursor: string | null;
}

export interface Api {
  services(): Promise<string[]>;
  operations(service: string): Promise<string[]>;
  traces(params: URLSearchParams): Promise<Trace[]>;
  trace(id: string): Promise<Trace | undefined>;
  logs(params: URLSearchParams): Promise<LogsPage>;
}

export function createApi(keys: KeyStore, base = '..', fetchFn: typeof fetch = (...a) => globalThis.fetch(...a)): Api {
  const get = async <T>(path: string): Promise<T> => {
    const key = keys.get();
    const res = await fetchFn(`${base}${path}`, { headers: key ? { 'x-isotel-read-key': key } : {} });
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw new ApiError(res.status, reason(body) ?? `HTTP ${res.status}`);
    return body as T;
  };
  return {
    services: async () => (await get<Envelope<string[]>>('/api/services')).data ?? [],
    operations: async (service) => (await get<Envelope<string[]>>(`/api/services/${encodeURIComponent(service)}/operations`)).data ?? [],
    traces: async (params) => (await get<Envelope<Trace[]>>(`/api/traces?${params.toString()}`)).data ?? [],
    trace: async (id) => {
      try {
        return (await get<Envelope<Trace[]>>(`/api/traces/${encodeURIComponent(id)}`)).data?.[0];
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return undefined;
        throw err;
      }
    },
    logs: (params) => get<LogsPage>(`/api/logs?${params.toString()}`),
  };
}

/** The error text of a Jaeger envelope ({errors: [{msg}]}) or an OTLP-style refusal ({message}). */
function reason(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { errors?: { msg?: unknown }[] | null; message?: unknown };
  const msg = b.errors?.[0]?.msg ?? b.message;
  return typeof msg === 'string' ? msg : undefined;
}
