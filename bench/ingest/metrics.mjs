// The metric points of the ingest benchmark: OTLP JSON ExportMetricsServiceRequest bodies of `batch` points each,
// half a monotonic cumulative sum and half a gauge, each point with 3 attributes (50 series per metric). Every
// point has its own time, so every point gets its own point id (derived from stream identity and time) and none is
// deduplicated; `runTag` goes into the resource (service.instance.id), so the warm-up's streams are not the run's.
const attrs = (i) => [
  { key: 'http.request.method', value: { stringValue: i % 3 === 0 ? 'POST' : 'GET' } },
  { key: 'http.route', value: { stringValue: `/price/${i % 50}` } },
  { key: 'http.response.status_code', value: { intValue: i % 10 === 0 ? '500' : '200' } },
];

/** `n` metric points as OTLP JSON /v1/metrics request bodies of `batch` points each (built before any timing starts). */
export function buildMetricBodies(n, batch, runTag) {
  const bodies = [];
  const base = BigInt(Date.now()) * 1_000_000n;
  const start = String(base - 60_000_000_000n);
  for (let b = 0; b * batch < n; b++) {
    const sums = [];
    const gauges = [];
    for (let i = b * batch; i < Math.min(n, (b + 1) * batch); i++) {
      const timeUnixNano = String(base + BigInt(i) * 1000n);
      if (i % 2 === 0) sums.push({ attributes: attrs(i), startTimeUnixNano: start, timeUnixNano, asInt: String(i) });
      else gauges.push({ attributes: attrs(i), timeUnixNano, asDouble: (i % 997) / 7 });
    }
    bodies.push(Buffer.from(JSON.stringify({
      resourceMetrics: [{
        resource: { attributes: [
          { key: 'service.name', value: { stringValue: 'bench' } },
          { key: 'service.instance.id', value: { stringValue: runTag } },
          { key: 'deployment.environment.name', value: { stringValue: 'bench' } },
        ] },
        scopeMetrics: [{
          scope: { name: 'bench', version: '0.1.0' },
          metrics: [
            { name: 'bench.requests', unit: '{request}', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: sums } },
            { name: 'bench.queue.depth', unit: '{item}', gauge: { dataPoints: gauges } },
          ],
        }],
      }],
    })));
  }
  return bodies;
}
