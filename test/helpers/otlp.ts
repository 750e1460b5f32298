// Builders of OTLP JSON requests for tests.
let counter = 0;

export function hex(n: number, len: number): string {
  return n.toString(16).padStart(len, '0').slice(-len);
}

export function logRecordJson(i: number, extra: Record<string, unknown> = {}) {
  counter++;
  return {
    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i)),
    severityNumber: 9,
    severityText: 'INFO',
    body: { stringValue: `message ${i}` },
    attributes: [
      { key: 'log.record.uid', value: { stringValue: `uid-${process.pid}-${counter}-${i}` } },
      { key: 'i', value: { intValue: String(i) } },
    ],
    traceId: hex(i + 1, 32),
    spanId: hex(i + 1, 16),
    ...extra,
  };
}

export function logsRequest(records: unknown[], service = 'test-svc') {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [{ scope: { name: 'test' }, logRecords: records }],
      },
    ],
  };
}

export function spanJson(i: number, traceId = hex(i + 1, 32)) {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId,
    spanId: hex(i + 1, 16),
    name: `span ${i}`,
    kind: 2,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 5_000_000n),
    attributes: [{ key: 'i', value: { intValue: String(i) } }],
    status: { code: 1 },
  };
}

export function tracesRequest(spans: unknown[], service = 'test-svc') {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
}
