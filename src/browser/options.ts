/**
 * Validates `init` options once, at start-up, with messages that name the field. A bad option never
 * throws into the page: init warns once and returns a telemetry that does nothing. Table-driven, because
 * every byte here ships in the lite build.
 */
import type { LogRecord } from '../shared/model.js';
import { type Level, LEVELS, parseLevel } from '../shared/severity.js';
import type { CorsUrlMatcher, HttpSpanNameInput, StatusListener } from './types.js';

export interface ResolvedOptions {
  /** Without a trailing slash. */
  endpoint: string;
  serviceName: string;
  serviceVersion?: string;
  environment?: string;
  ingestKey?: string;
  propagateTraceHeaderCorsUrls: CorsUrlMatcher[];
  logLevel: Level;
  sampleRate: number;
  captureErrors: boolean;
  captureConsole: boolean;
  instrumentDocumentLoad: boolean;
  beforeSend?: (record: LogRecord) => LogRecord | null | undefined;
  httpSpanName?: (request: HttpSpanNameInput) => string | undefined;
  onStatus?: StatusListener;
  maxQueueRecords: number;
  maxQueueBytes: number;
  batchDelayMs: number;
  sessionInactivityTimeoutMs: number;
  sessionMaxDurationMs: number;
  unloadAtMostOnce: boolean;
}

export type OptionsResult = { ok: true; options: ResolvedOptions } | { ok: false; error: string };

const BOOLEANS: Record<string, boolean> = { captureErrors: true, captureConsole: false, instrumentDocumentLoad: false, unloadAtMostOnce: false };
/** name: [default, min, max] */
const NUMBERS: Record<string, [number, number, number]> = {
  sampleRate: [1, 0, 1],
  // A burst of 11,000 log calls in about a second (bench/browser.mjs) fits: 5,000 / 5 MiB dropped 3,000-6,500 of it.
  maxQueueRecords: [20_000, 1, 1e6],
  maxQueueBytes: [20 * 1024 * 1024, 1024, 1e9],
  batchDelayMs: [1_000, 0, 600_000],
  sessionInactivityTimeoutMs: [9e5, 1, 864e5],
  sessionMaxDurationMs: [144e5, 1, 2592e6],
};
const STRINGS = ['serviceName', 'serviceVersion', 'environment', 'ingestKey', 'endpoint'];
const FUNCTIONS = ['beforeSend', 'onStatus', 'httpSpanName'];

function endpointOf(raw: unknown, base: string | undefined): string {
  if (!raw) throw new TypeError('endpoint is required');
  let url: URL;
  try {
    url = new URL(raw as string, base);
  } catch {
    throw new TypeError(`endpoint is not a valid URL: ${String(raw)}`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new TypeError('endpoint must be an http(s) URL');
  url.search = url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** `base` resolves a relative endpoint (the page's location.href). */
export function resolveOptions(input: unknown, base?: string): OptionsResult {
  try {
    if (input === null || typeof input !== 'object') throw new TypeError('options must be an object');
    const o = input as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const check = (key: string, ok: boolean, what: string): void => {
      if (!ok) throw new TypeError(`${key} must be ${what}`);
    };
    for (const k of STRINGS) {
      check(k, o[k] === undefined || typeof o[k] === 'string', 'a string');
      out[k] = o[k];
    }
    for (const k of FUNCTIONS) {
      check(k, o[k] === undefined || typeof o[k] === 'function', 'a function');
      out[k] = o[k];
    }
    for (const k in BOOLEANS) {
      check(k, o[k] === undefined || typeof o[k] === 'boolean', 'true or false');
      out[k] = o[k] === undefined ? BOOLEANS[k] : o[k];
    }
    for (const k in NUMBERS) {
      const [dflt, min, max] = NUMBERS[k];
      const v = o[k] == null ? dflt : o[k];
      check(k, typeof v === 'number' && v >= min && v <= max, `a number from ${min} to ${max}`);
      out[k] = v;
    }
    if (!o.serviceName) throw new TypeError('serviceName is required');
    out.endpoint = endpointOf(o.endpoint, base);
    out.logLevel = o.logLevel === undefined ? 'info' : parseLevel(o.logLevel);
    check('logLevel', !!out.logLevel, `one of ${LEVELS.join(', ')}`);
    const cors = o.propagateTraceHeaderCorsUrls == null ? [] : o.propagateTraceHeaderCorsUrls;
    out.propagateTraceHeaderCorsUrls = Array.isArray(cors) ? cors : [cors];
    for (const m of out.propagateTraceHeaderCorsUrls as unknown[]) {
      check('propagateTraceHeaderCorsUrls', typeof m === 'string' || m instanceof RegExp, 'strings or regular expressions');
    }
    return { ok: true, options: out as unknown as ResolvedOptions };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
