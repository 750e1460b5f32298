import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import type { Redactor } from '../../shared/redact.js';

/** What the server span and the request log need from an incoming request. */
export interface RequestInfo {
  /** The method as OTel names it: one of the known methods, or `_OTHER`. */
  method: string;
  /** The path without query or fragment. */
  path: string;
  attributes: OtelAttributes;
}

// OTel HTTP semconv: other methods are recorded as `_OTHER` (with the original in
// http.request.method_original), so a client cannot create unbounded span names.
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);

/** Semconv attributes of a server request: url.*, server.*, user_agent.original, client.address (opt-in). */
export function describeRequest(req: IncomingMessage, rawUrl: string, queryRedactor: Redactor, recordClientAddress: boolean): RequestInfo {
  const original = typeof req.method === 'string' ? req.method : 'GET';
  const method = KNOWN_METHODS.has(original) ? original : '_OTHER';
  const { path, query } = splitUrl(rawUrl);
  const scheme = (req.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http';
  const attributes: OtelAttributes = {
    'http.request.method': method,
    'url.path': path,
    'url.scheme': scheme,
  };
  if (method === '_OTHER') attributes['http.request.method_original'] = original;
  if (query) attributes['url.query'] = redactQuery(query, queryRedactor);
  const host = parseHost(header(req.headers, 'host') ?? header(req.headers, ':authority'));
  if (host) {
    attributes['server.address'] = host.address;
    attributes['server.port'] = host.port ?? (scheme === 'https' ? 443 : 80);
  }
  if (typeof req.httpVersion === 'string') attributes['network.protocol.version'] = req.httpVersion;
  const ua = header(req.headers, 'user-agent');
  if (ua) attributes['user_agent.original'] = ua;
  if (recordClientAddress) {
    // The socket peer, not X-Forwarded-For: a header the client controls is not evidence of its address.
    const ip = req.socket?.remoteAddress;
    if (ip) attributes['client.address'] = ip;
  }
  return { method, path, attributes };
}

/** Path and query (without `?`) of an origin-form or absolute-form request target. */
export function splitUrl(rawUrl: string): { path: string; query: string } {
  let url = rawUrl;
  const hash = url.indexOf('#');
  if (hash >= 0) url = url.slice(0, hash);
  if (!url.startsWith('/')) {
    // absolute-form (`GET http://host/path` through a proxy): drop scheme and authority.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(url);
    if (m) url = url.slice(m[0].length);
  }
  const q = url.indexOf('?');
  const path = (q >= 0 ? url.slice(0, q) : url) || '/';
  return { path, query: q >= 0 ? url.slice(q + 1) : '' };
}

/**
 * Replaces the values of secret-looking parameters (`token=abc` → `token=[REDACTED]`), and secrets the
 * redactor finds inside other values (a JWT, a bearer token). Parameter order and the encoding of the
 * untouched parameters are kept as received.
 */
export function redactQuery(query: string, redactor: Redactor): string {
  const parts = query.split('&');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = decode(part.slice(0, eq));
    const value = decode(part.slice(eq + 1));
    const out = redactor.attributes({ [key]: value })[key];
    if (out !== value) {
      parts[i] = `${part.slice(0, eq)}=${String(out)}`;
      changed = true;
    }
  }
  return changed ? parts.join('&') : query;
}

function decode(s: string): string {
  const plus = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus; // malformed percent-encoding: the raw text is what there is to check
  }
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`; undefined when absent or malformed. */
export function parseHost(value: string | undefined): { address: string; port?: number } | undefined {
  if (!value) return undefined;
  let address = value;
  let portText: string | undefined;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) return undefined;
    address = value.slice(1, close);
    if (value.length > close + 1) {
      if (value[close + 1] !== ':') return undefined;
      portText = value.slice(close + 2);
    }
  } else {
    const colon = value.lastIndexOf(':');
    if (colon >= 0) {
      address = value.slice(0, colon);
      portText = value.slice(colon + 1);
    }
  }
  if (!address) return undefined;
  if (portText === undefined) return { address };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  return port > 0 && port < 65536 ? { address, port } : { address };
}

// Echoed in a response header: visible ASCII only (no CR/LF, no spaces), bounded.
const CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;

/** The caller's `x-correlation-id` (or `x-request-id`) when well-formed, else a new UUID. */
export function pickCorrelationId(headers: IncomingHttpHeaders): string {
  for (const name of ['x-correlation-id', 'x-request-id']) {
    const v = header(headers, name);
    if (v !== undefined && CORRELATION_ID.test(v)) return v;
  }
  return randomUUID();
}

/** A header's single value (the first one if repeated); node lowercases incoming header names. */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}
