// @opentelemetry/sdk-trace-base's BasicTracerProvider (the reference SDK; isotel's tracer uses only its
// samplers), with a no-op SpanProcessor (`noop`: the SDK's own floor) or a BatchSpanProcessor with a no-op
// exporter (`batch`: the usual production set-up minus the network). Prints {medianNs, sustainedNs, turnCpuNs,
// spans}; spans = spans exported by the timed chunked run.
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { measure, measurePerTurn, N } from './spans-shape.mjs';

let exported = 0;
const exporter = {
  export(spans, done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};
const noop = { onStart() {}, onEnd() { exported++; }, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
const processor = process.argv[2] === 'batch' ? new BatchSpanProcessor(exporter, { maxQueueSize: N }) : noop;
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = provider.getTracer('bench');
await measure(tracer, () => provider.forceFlush());
exported = 0;
const result = await measure(tracer, () => provider.forceFlush());
const spans = exported;
const turnCpuNs = await measurePerTurn(tracer, () => provider.forceFlush());
await provider.shutdown();
process.stdout.write(JSON.stringify({ ...result, turnCpuNs, spans }));
