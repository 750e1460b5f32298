import { describe, it, expect } from 'vitest';
import { ProduceStats } from './produce-stats.js';

describe('ProduceStats', () => {
  it('reports acknowledged records, errors and the p50/p99 bucket bounds of the ack latency', () => {
    const s = new ProduceStats();
    for (let i = 0; i < 98; i++) s.acknowledged(0.004, 10);
    s.acknowledged(0.2, 10);
    s.acknowledged(3, 10);
    s.failed('Cannot connect to any broker.', Date.parse('2026-12-07T00:00:00Z'));
    s.refusedRecords(2, 'MESSAGE_TOO_LARGE');
    expect(s.health()).toMatchObject({ rounds: 100, acknowledged_records: 1000, errors: 1, refused_records: 2, ack_ms: { p50: 5, p99: 250 }, last_error: 'MESSAGE_TOO_LARGE' });
  });

  it('renders a cumulative Prometheus histogram and the counters', () => {
    const s = new ProduceStats();
    s.acknowledged(0.004, 5);
    s.acknowledged(0.2, 5);
    const text = s.render();
    expect(text).toContain('# TYPE isotel_kafka_produce_seconds histogram');
    expect(text).toContain('isotel_kafka_produce_seconds_bucket{le="0.005"} 1');
    expect(text).toContain('isotel_kafka_produce_seconds_bucket{le="0.25"} 2');
    expect(text).toContain('isotel_kafka_produce_seconds_bucket{le="+Inf"} 2');
    expect(text).toContain('isotel_kafka_produce_seconds_count 2');
    expect(text).toContain('isotel_kafka_produced_records_total 10');
    expect(text).toContain('isotel_kafka_produce_errors_total 0');
  });
});
