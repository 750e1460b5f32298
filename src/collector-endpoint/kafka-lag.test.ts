import { describe, it, expect } from 'vitest';
import { readLag, renderLag } from './kafka-lag.js';

const client = {
  listOffsets: async () => new Map([['otlp_logs', [10n, 5n, 0n]]]),
  listCommittedOffsets: async () => new Map([['otlp_logs', [7n, -1n, 0n]]]),
};

describe('consumer lag', () => {
  it('is the high watermark minus the group\'s committed offset per partition, the whole partition when nothing is committed', async () => {
    const lag = await readLag(client, ['otlp_logs']);
    expect(lag.partitions).toEqual([
      { topic: 'otlp_logs', partition: 0, committed: 7, high_watermark: 10, lag: 3 },
      { topic: 'otlp_logs', partition: 1, committed: null, high_watermark: 5, lag: 5 },
      { topic: 'otlp_logs', partition: 2, committed: 0, high_watermark: 0, lag: 0 },
    ]);
    expect(lag.total).toBe(8);
    expect(renderLag(lag)).toContain('isotel_kafka_consumer_lag{topic="otlp_logs",partition="1"} 5');
  });
});
