import { appendFile } from 'node:fs/promises';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { MESSAGE, attrs, N } from './shape.mjs';

const file = process.argv[2];
// An exporter that appends each batch to the file as JSON lines.
const exporter = {
  export(records, done) {
    let out = '';
    for (const r of records) {
      out += JSON.stringify({
        timestamp: r.hrTime,
        observed_timestamp: r.hrTimeObserved,
        severity_text: r.severityText,
        severity_number: r.severityNumber,
        body: r.body,
        trace_id: r.spanContext?.traceId,
        span_id: r.spanContext?.spanId,
        attributes: r.attributes,
        resource: r.resource.attributes,
        scope: r.instrumentationScope,
      }) + '\n';
    }
    appendFile(file, out).then(() => done({ code: 0 }), (error) => done({ code: 1, error }));
  },
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};
// maxQueueSize = N so that nothing is dropped (the default of 2048 drops under a burst).
const provider = new LoggerProvider({
  processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: N, maxExportBatchSize: 1000, scheduledDelayMillis: 100 })],
});
const logger = provider.getLogger('bench');
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: MESSAGE, attributes: attrs(i) });
await provider.forceFlush();
const t1 = process.hrtime.bigint();
await provider.shutdown();
process.stdout.write(JSON.stringify({ ns: Number(t1 - t0) }));
