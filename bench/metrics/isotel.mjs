// isotel: configureLogger registers its MeterProvider as the API's global; the app uses @opentelemetry/api. Its
// consumers: the engine's periodic reader (points to the backends) and the Prometheus port, which counts the adds.
// sdk-metrics records each measurement once per registered reader; isotel registers one shared reader that feeds
// both (src/node/metrics/shared-reader.ts), so it costs what one reader costs.
import { metrics } from '@opentelemetry/api';
import { BOUNDARIES, SETS, configureIsotel, freePort, timeOps, value, report, attrsOf } from './shape.mjs';

const port = await freePort();
const logger = await configureIsotel(process.argv[2], { prometheus: { port } });
const meter = metrics.getMeter('bench');
const counter = meter.createCounter('bench.requests');
const histogram = meter.createHistogram('bench.duration', { unit: 's', advice: { explicitBucketBoundaries: BOUNDARIES } });
const attrs = attrsOf(SETS);
const counter_ = timeOps((i) => counter.add(1, attrs(i)));
const histogram_ = timeOps((i) => histogram.record(value(i), attrs(i)));
const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
const recorded = [...text.matchAll(/^bench_requests_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
await logger.close();
report(counter_, histogram_, recorded);
