import { createRedactor, type Redactor } from '../../shared/redact.js';
import { addIncomingIgnore } from '../incoming-ignores.js';

/** Options shared by httpMiddleware, expressMiddleware and fastifyPlugin. */
export interface HttpInstrumentationOptions {
  /**
   * Paths (without query) served untraced and unlogged: exact strings or regular expressions. With the http
   * instrumentation on, it skips their server span too (incoming-ignores.ts).
   */
  ignorePaths?: ReadonlyArray<string | RegExp>;
  /** Record the peer's IP as `client.address` (default false: an IP address is personal data). */
  recordClientAddress?: boolean;
  /** Log one "request completed" record per request: INFO, WARN for 4xx, ERROR for 5xx (default true). */
  logRequests?: boolean;
  /**
   * Query parameter names whose values are replaced in `url.query`, added to the redactor's defaults
   * (`token`, `password`, `api_key`, … and OTel's `AWSAccessKeyId`, `Signature`, `sig`, `X-Goog-Signature`).
   */
  redactQueryKeys?: readonly string[];
}

export interface ResolvedOptions {
  isIgnored(path: string): boolean;
  recordClientAddress: boolean;
  logRequests: boolean;
  queryRedactor: Redactor;
}

/** Keys the OTel HTTP semantic conventions say to redact in `url.query` by default. */
const SEMCONV_QUERY_SECRETS = ['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature'];

/**
 * Validates the options once, when the middleware is created (fail fast, naming the field), so the
 * per-request path only reads plain fields.
 */
export function resolveOptions(options: HttpInstrumentationOptions | undefined, where: string): ResolvedOptions {
  const o: HttpInstrumentationOptions = options ?? {};
  if (typeof o !== 'object') throw new TypeError(`${where}: options must be an object`);
  const ignore = o.ignorePaths ?? [];
  if (!Array.isArray(ignore)) throw new TypeError(`${where}: options.ignorePaths must be an array of strings or RegExps`);
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  ignore.forEach((p: unknown, i) => {
    if (typeof p === 'string') exact.add(p);
    else if (p instanceof RegExp) patterns.push(new RegExp(p.source, p.flags.replace(/[gy]/g, '')));
    else throw new TypeError(`${where}: options.ignorePaths[${i}] must be a string or a RegExp`);
  });
  for (const key of ['recordClientAddress', 'logRequests'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw new TypeError(`${where}: options.${key} must be a boolean`);
  }
  const extraKeys = o.redactQueryKeys ?? [];
  if (!Array.isArray(extraKeys) || extraKeys.some((k: unknown) => typeof k !== 'string')) {
    throw new TypeError(`${where}: options.redactQueryKeys must be an array of strings`);
  }
  const isIgnored = exact.size === 0 && patterns.length === 0 ? () => false : (path: string) => exact.has(path) || patterns.some((re) => re.test(path));
  if (exact.size > 0 || patterns.length > 0) addIncomingIgnore(isIgnored);
  return {
    isIgnored,
    recordClientAddress: o.recordClientAddress ?? false,
    logRequests: o.logRequests ?? true,
    queryRedactor: createRedactor({ keys: [...SEMCONV_QUERY_SECRETS, ...extraKeys] }),
  };
}
