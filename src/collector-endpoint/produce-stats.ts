/**
 * `--role ingest`'s produce figures for /health and /metrics: one histogram of the time from a produce round's
 * send to Kafka's acknowledgment (every request in the round waited that long before its answer), and the
 * errors by kind. Fixed buckets, so the memory is constant whatever the traffic.
 */
const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ProduceStatsHealth {
  rounds: number;
  acknowledged_records: number;
  /** Rounds Kafka did not acknowledge (unreachable, timeout, breaker open): their requests got 503. */
  errors: number;
  /** Records Kafka refused for good (too large, invalid topic): their requests got 413. */
  refused_records: number;
  /** Upper bounds of the histogram buckets that hold the median and the 99th percentile of acknowledged rounds. */
  ack_ms: { p50: number; p99: number };
  last_error?: string;
  last_error_at?: string;
}

export class ProduceStats {
  private readonly counts = new Array<number>(BUCKETS_S.length + 1).fill(0);
  private sumS = 0;
  private rounds = 0;
  private acked = 0;
  private errors = 0;
  private refused = 0;
  private lastError: { message: string; at: string } | undefined;

  acknowledged(seconds: number, records: number): void {
    const i = BUCKETS_S.findIndex((b) => seconds <= b);
    this.counts[i < 0 ? BUCKETS_S.length : i]++;
    this.sumS += seconds;
    this.rounds++;
    this.acked += records;
  }

  failed(message: string, now = Date.now()): void {
    this.errors++;
    this.lastError = { message, at: new Date(now).toISOString() };
  }

  refusedRecords(n: number, message: string): void {
    this.refused += n;
    this.lastError = { message, at: new Date().toISOString() };
  }

  health(): ProduceStatsHealth {
    return {
      rounds: this.rounds,
      acknowledged_records: this.acked,
      errors: this.errors,
      refused_records: this.refused,
      ack_ms: { p50: this.quantileMs(0.5), p99: this.quantileMs(0.99) },
      ...(this.lastError ? { last_error: this.lastError.message, last_error_at: this.lastError.at } : {}),
    };
  }

  private quantileMs(q: number): number {
    if (this.rounds === 0) return 0;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= q * this.rounds) return (BUCKETS_S[i] ?? Infinity) * 1000;
    }
    return Infinity;
  }

  /** Prometheus text: the latency histogram (cumulative buckets), acknowledged records, errors. */
  render(): string {
    const name = 'isotel_kafka_produce_seconds';
    const lines = [`# HELP ${name} Time from a produce round's send to Kafka's acknowledgment (acks=all).`, `# TYPE ${name} histogram`];
    let cumulative = 0;
    BUCKETS_S.forEach((b, i) => {
      cumulative += this.counts[i];
      lines.push(`${name}_bucket{le="${b}"} ${cumulative}`);
    });
    lines.push(`${name}_bucket{le="+Inf"} ${this.rounds}`, `${name}_sum ${this.sumS}`, `${name}_count ${this.rounds}`);
    const counter = (n: string, help: string, v: number) => lines.push(`# HELP ${n} ${help}`, `# TYPE ${n} counter`, `${n} ${v}`);
    counter('isotel_kafka_produced_records_total', 'Records Kafka acknowledged.', this.acked);
    counter('isotel_kafka_produce_errors_total', 'Produce rounds Kafka did not acknowledge (their requests were answered 503).', this.errors);
    counter('isotel_kafka_refused_records_total', 'Records Kafka refused for good (their requests were answered 413).', this.refused);
    return `${lines.join('\n')}\n`;
  }
}
