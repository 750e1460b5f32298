import type { DispatcherHealth } from '../node/engine/index.js';

const SIGNAL_KEY = { logs: 'logs', traces: 'spans', metrics: 'metrics' } as const;

/** Counters of the ingest, and their Prometheus text exposition (`GET /metrics`). */
export class IngestMetrics {
  accepted = { logs: 0, spans: 0, metrics: 0 };
  /** Records not appended because their id was accepted before (the dedupe window). */
  duplicates = { logs: 0, spans: 0, metrics: 0 };
  rejected = new Map<string, number>();
  requests = new Map<string, number>();
  bytes = 0;

  reject(reason: string, n = 1): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + n);
  }

  duplicate(signal: 'logs' | 'traces' | 'metrics', n: number): void {
    this.duplicates[SIGNAL_KEY[signal]] += n;
  }

  /** Records of `signal` accepted (appended to the write-ahead log). */
  accept(signal: 'logs' | 'traces' | 'metrics', n: number): void {
    this.accepted[SIGNAL_KEY[signal]] += n;
  }

  request(route: string, status: number): void {
    const key = `${route}|${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** `wal`: undefined without a write-ahead log (--role ingest), whose lines are then left out. */
  render(wal: { bytes: number; max: number } | undefined, backends: DispatcherHealth[], dedupeIds: number): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    metric('isotel_ingest_records_accepted_total', 'counter', 'Records accepted and written ahead.', [
      `isotel_ingest_records_accepted_total{signal="logs"} ${this.accepted.logs}`,
      `isotel_ingest_records_accepted_total{signal="traces"} ${this.accepted.spans}`,
      `isotel_ingest_records_accepted_total{signal="metrics"} ${this.accepted.metrics}`,
    ]);
    metric('isotel_ingest_duplicates_dropped_total', 'counter', 'Records not stored again: their id was accepted within the dedupe window.', [
      `isotel_ingest_duplicates_dropped_total{signal="logs"} ${this.duplicates.logs}`,
      `isotel_ingest_duplicates_dropped_total{signal="traces"} ${this.duplicates.spans}`,
      `isotel_ingest_duplicates_dropped_total{signal="metrics"} ${this.duplicates.metrics}`,
    ]);
    metric('isotel_ingest_dedupe_ids', 'gauge', 'Record ids in the dedupe window.', [`isotel_ingest_dedupe_ids ${dedupeIds}`]);
    metric('isotel_ingest_records_rejected_total', 'counter', 'Records or requests rejected, by reason.',
      [...this.rejected].map(([r, n]) => `isotel_ingest_records_rejected_total{reason="${label(r)}"} ${n}`));
    metric('isotel_ingest_requests_total', 'counter', 'Requests by route and status.',
      [...this.requests].map(([k, n]) => {
        const [route, status] = k.split('|');
        return `isotel_ingest_requests_total{route="${label(route)}",status="${status}"} ${n}`;
      }));
    metric('isotel_ingest_received_bytes_total', 'counter', 'Request body bytes received.', [`isotel_ingest_received_bytes_total ${this.bytes}`]);
    if (wal) {
      metric('isotel_wal_bytes', 'gauge', 'Bytes in the write-ahead log.', [`isotel_wal_bytes ${wal.bytes}`]);
      metric('isotel_wal_max_bytes', 'gauge', 'The write-ahead log budget.', [`isotel_wal_max_bytes ${wal.max}`]);
    }
    const per = (name: string, type: string, help: string, value: (b: DispatcherHealth) => number) =>
      metric(name, type, help, backends.map((b) => `${name}{backend="${label(b.name)}"} ${value(b)}`));
    per('isotel_backend_waiting_records', 'gauge', 'Records in the write-ahead log not yet delivered to the backend.', (b) => b.waiting_on_disk);
    per('isotel_backend_delivered_total', 'counter', 'Records delivered to the backend.', (b) => b.delivered);
    per('isotel_backend_dead_lettered_total', 'counter', 'Records the backend refused for good.', (b) => b.dead_lettered);
    // A summary without quantiles: its _sum and _count under one TYPE line (two "counters" named *_sum and *_count
    // are four problems for `promtool check metrics`: counters must end in _total, and the names are reserved).
    metric('isotel_backend_write_seconds', 'summary', 'Time spent in successful backend writes.', backends.flatMap((b) => [
      `isotel_backend_write_seconds_sum{backend="${label(b.name)}"} ${b.write_seconds_total}`,
      `isotel_backend_write_seconds_count{backend="${label(b.name)}"} ${b.writes_total}`,
    ]));
    per('isotel_backend_circuit_open', 'gauge', '1 while the backend circuit breaker is open.', (b) => (b.state === 'circuit_open' ? 1 : 0));
    per('isotel_backend_up', 'gauge', '1 while the backend accepts writes.', (b) => (b.state === 'healthy' ? 1 : 0));
    return `${out.join('\n')}\n`;
  }
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
