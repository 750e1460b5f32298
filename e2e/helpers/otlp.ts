import { randomBytes } from 'node:crypto';

/** OTLP/HTTP JSON requests as any OpenTelemetry client (or an attacker) would send them to the ingest. */

export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
const nanos = (ms: number): string => String(BigInt(Math.round(ms)) * 1_000_000n);

export function oneSpan(o: { traceId: string; spanId: string; name: string; service: string; startMs: number; durationMs: number }) {
  return {
    resourceSpans: [
      {
        resource: resource(o.service),
        scopeSpans: [
          {
            scope: { name: 'e2e' },
            spans: [{ traceId: o.traceId, spanId: o.spanId, name: o.name, kind: 2, startTimeUnixNano: nanos(o.startMs), endTimeUnixNano: nanos(o.startMs + o.durationMs), status: {} }],
          },
        ],
      },
    ],
  };
}

export function oneLog(o: { traceId: string; spanId: string; body: string; service: string; timeMs: number; attributes?: Record<string, string> }) {
  const attributes = Object.entries(o.attributes ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } }));
  return {
    resourceLogs: [
      {
        resource: resource(o.service),
        scopeLogs: [
          {
            scope: { name: 'e2e' },
            logRecords: [{ timeUnixNano: nanos(o.timeMs), severityNumber: 13, severityText: 'WARN', body: { stringValue: o.body }, traceId: o.traceId, spanId: o.spanId, attributes }],
          },
        ],
      },
    ],
  };
}

export async function postOtlp(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
}
