import type { ServerResponse } from 'node:http';
import { errorBody } from './otlp-response.js';
import type { IngestMetrics } from './metrics.js';
import { escapeJson, SECURITY_HEADERS } from './safe-json.js';

/**
 * How the ingest answers: every answer counted per route and status, every refusal with its reason, every
 * answer with the security headers and JSON escaped for HTML contexts (safe-json.ts).
 */
export class Responder {
  constructor(private readonly metrics: IngestMetrics) {}

  send(res: ServerResponse, route: string, status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}): void {
    this.metrics.request(route, status);
    if (res.headersSent) return;
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(type.startsWith('application/json') ? escapeJson(typeof body === 'string' ? body : body.toString('utf8')) : body);
  }

  fail(res: ServerResponse, route: string, status: number, reason: string, kind?: 'json' | 'protobuf', headers?: Record<string, string>): void {
    this.metrics.reject(reasonLabel(status, reason));
    const { type, body } = errorBody(kind, status === 429 || status === 503 ? 14 : 3, reason);
    this.send(res, route, status, type, body, headers);
  }
}

function reasonLabel(status: number, reason: string): string {
  switch (status) {
    case 400: return reason.startsWith('every record') ? 'invalid_request' : reason.startsWith('parameter') ? 'invalid_query' : 'undecodable';
    case 401: return reason.includes('read key') ? 'read_key' : 'ingest_key';
    case 403: return 'cors';
    case 404: return 'not_found';
    case 405: return 'method';
    case 408: return 'timeout';
    case 413: return 'too_large';
    case 415: return 'unsupported_media_type';
    case 429: return 'rate_limited';
    case 503: return 'unavailable';
    default: return `http_${status}`;
  }
}
