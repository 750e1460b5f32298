/**
 * `isotel/browser/metrics`: a small meter (counter, histogram, gauge) whose points go through the telemetry's
 * write-ahead queue to the ingest's /v1/metrics, in delta temporality. Its own entry point: pages that do not
 * import it do not bundle it.
 *
 *   const telemetry = init({ endpoint, serviceName });
 *   const meter = createMeter(telemetry);
 *   meter.counter('ui.clicks').add(1, { button: 'buy' });
 */
export { createMeter } from './metrics/meter.js';
export type { BrowserMeter, Counter, Gauge, Histogram, InstrumentOptions, MeterDeps, MeterOptions } from './metrics/meter.js';
