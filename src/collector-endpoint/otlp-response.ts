/**
 * OTLP/HTTP responses: ExportLogsServiceResponse / ExportTraceServiceResponse / ExportMetricsServiceResponse with `partial_success`
 * (rejected count + message) when some records were refused, in the request's encoding (JSON or protobuf),
 * and the google.rpc.Status body the spec prescribes for errors.
 */
export type Signal = 'logs' | 'traces' | 'metrics';

const REJECTED_KEY: Record<Signal, string> = { logs: 'rejectedLogRecords', traces: 'rejectedSpans', metrics: 'rejectedDataPoints' };

export function successBody(kind: 'json' | 'protobuf', signal: Signal, rejected: number, message: string): { type: string; body: Buffer } {
  if (kind === 'json') {
    const key = REJECTED_KEY[signal];
    const o = rejected > 0 || message ? { partialSuccess: { [key]: String(rejected), errorMessage: message } } : {};
    return { type: 'application/json', body: Buffer.from(JSON.stringify(o)) };
  }
  if (rejected === 0 && !message) return { type: 'application/x-protobuf', body: Buffer.alloc(0) };
  // ExportPartialSuccess { int64 rejected_* = 1; string error_message = 2; } inside field 1 of the response.
  const msg = Buffer.from(message, 'utf8');
  const inner = Buffer.concat([Buffer.from([0x08]), varint(rejected), Buffer.from([0x12]), varint(msg.length), msg]);
  return { type: 'application/x-protobuf', body: Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]) };
}

/** google.rpc.Status { int32 code = 1; string message = 2; } */
export function errorBody(kind: 'json' | 'protobuf' | undefined, code: number, message: string): { type: string; body: Buffer } {
  if (kind === 'protobuf') {
    const msg = Buffer.from(message, 'utf8');
    return { type: 'application/x-protobuf', body: Buffer.concat([Buffer.from([0x08]), varint(code), Buffer.from([0x12]), varint(msg.length), msg]) };
  }
  return { type: 'application/json', body: Buffer.from(JSON.stringify({ code, message })) };
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
