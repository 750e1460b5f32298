import { AggregationTemporality, InstrumentType, PeriodicExportingMetricReader, type IMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { MetricPoint } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { decodeMetrics } from '../../shared/otlp/decode.js';
import { createPointIdDeriver } from '../../shared/otlp/derive-id.js';
import type { ExemplarStore } from './exemplars.js';

export type MetricTemporality = 'cumulative' | 'delta';

/** Where a collection's points go: the logger's record buffer, like log records and spans. */
export type PointSink = (points: MetricPoint[]) => void;

/**
 * The OTLP exporters' delta preference (the OpenTelemetry spec's "Delta" temporality preference): counters and
 * histograms in delta, up-down counters stay cumulative (a delta of a level means nothing on its own).
 */
function deltaPreferred(type: InstrumentType): AggregationTemporality {
  return type === InstrumentType.UP_DOWN_COUNTER || type === InstrumentType.OBSERVABLE_UP_DOWN_COUNTER ? AggregationTemporality.CUMULATIVE : AggregationTemporality.DELTA;
}

/**
 * sdk-metrics' ResourceMetrics to isotel metric points along the ingest's own path: the OTLP JSON request the
 * official OTLP/HTTP JSON exporter sends (@opentelemetry/otlp-transformer), decoded by decodeMetrics and
 * identified by derivePointId. A point collected here therefore gets, byte for byte, the id the ingest would
 * give it had an OTLP exporter sent it, and every check the ingest applies (a NaN, a negative counter
 * increment) rejects that point alone, with its reason on the diag channel.
 */
export function toMetricPoints(rm: ResourceMetrics, diag?: Diag): MetricPoint[] {
  const bytes = JsonMetricsSerializer.serializeRequest(rm);
  if (bytes === undefined) return [];
  const decoded = decodeMetrics(JSON.parse(new TextDecoder().decode(bytes)) as unknown);
  if (decoded.rejected > 0 && diag) {
    diag.count('metrics.points_rejected', decoded.rejected);
    diag.warn(`${decoded.rejected} metric point(s) not recorded: ${decoded.errors.join('; ')}`);
  }
  const derivePointId = createPointIdDeriver();
  for (const p of decoded.records) p.point_id = derivePointId(p);
  return decoded.records;
}

/** A PushMetricExporter whose "export" is a hand-off to the delivery engine: it never fails, never waits. */
export class EngineMetricExporter implements PushMetricExporter {
  private stopped = false;

  constructor(
    private readonly sink: PointSink,
    private readonly temporality: MetricTemporality,
    private readonly diag: Diag,
    private readonly exemplars?: ExemplarStore,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) return resultCallback({ code: ExportResultCode.FAILED, error: new Error('the metrics exporter is shut down') });
    try {
      const points = toMetricPoints(metrics, this.diag);
      this.exemplars?.attach(points);
      if (points.length > 0) this.sink(points);
    } catch (err) {
      this.diag.error('metric points could not be converted; this collection is lost', err);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.temporality === 'delta' ? deltaPreferred(type) : AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

/**
 * The reader that takes the provider's points to the engine every `intervalSeconds` (its timer is unref'd by
 * sdk-metrics: it never keeps the process alive); forceFlush and shutdown collect at once.
 */
export function engineReader(opts: { sink: PointSink; temporality: MetricTemporality; intervalSeconds: number; diag: Diag; exemplars?: ExemplarStore }): IMetricReader {
  const exportIntervalMillis = Math.round(opts.intervalSeconds * 1000);
  return new PeriodicExportingMetricReader({
    exporter: new EngineMetricExporter(opts.sink, opts.temporality, opts.diag, opts.exemplars),
    exportIntervalMillis,
    exportTimeoutMillis: Math.min(exportIntervalMillis, 30_000),
  });
}
