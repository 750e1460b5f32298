// OTLP protobuf request bodies for the ingest benchmark, as a real OpenTelemetry JS SDK sends them: log records
// emitted through @opentelemetry/sdk-logs and serialized by @opentelemetry/otlp-transformer's
// ProtobufLogsSerializer (what @opentelemetry/exporter-logs-otlp-proto posts). The records carry the same
// content as buildBodies' JSON ones (load.mjs); the SDK adds observedTimeUnixNano (set equal to the time here),
// and types `ratio` as intValue when i/7 is whole, as any SDK does for an integral number.
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';

const hex = (n, len) => n.toString(16).padStart(len, '0').slice(-len);

/** `n` log records as OTLP protobuf (ExportLogsServiceRequest) bodies of `batch` records each. */
export function buildProtobufBodies(n, batch, runTag) {
  let emitted = [];
  // A processor that only collects: each request body is serialized from exactly the records of its batch.
  const collect = { onEmit: (record) => emitted.push(record), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench', 'service.version': '1.0.0', 'deployment.environment.name': 'bench' }),
    processors: [collect],
  });
  const logger = provider.getLogger('bench', '0.1.0');
  const base = BigInt(Date.now()) * 1_000_000n;
  const bodies = [];
  for (let b = 0; b * batch < n; b++) {
    for (let i = b * batch; i < Math.min(n, (b + 1) * batch); i++) {
      const t = base + BigInt(i) * 1000n;
      const time = [Number(t / 1_000_000_000n), Number(t % 1_000_000_000n)];
      logger.emit({
        timestamp: time,
        observedTimestamp: time,
        severityNumber: i % 10 === 0 ? 17 : 9,
        severityText: i % 10 === 0 ? 'ERROR' : 'INFO',
        body: `Request ${i} handled in ${i % 97} ms`,
        attributes: {
          'log.record.uid': `${runTag}-${i}`,
          'http.request.method': 'GET',
          'url.path': `/price/${i}`,
          'http.response.status_code': 200,
          'user.id': `user${i % 100}`,
          ratio: i / 7,
        },
        context: trace.setSpanContext(ROOT_CONTEXT, { traceId: hex((i % 5000) + 1, 32), spanId: hex(i + 1, 16), traceFlags: 1 }),
      });
    }
    bodies.push(Buffer.from(ProtobufLogsSerializer.serializeRequest(emitted)));
    emitted = [];
  }
  return bodies;
}
