import { defineConfig } from 'vitest/config';

/**
 * The files that stop shared servers, so nothing else may run beside them: PostgreSQL and Elasticsearch
 * (backend-outages), the shared Kafka broker at 9092 (kafka-sink).
 */
const OUTAGES = ['test/backend-outages.test.ts', 'test/kafka-sink.test.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node', testTimeout: 20_000 } },
      {
        // Two files at a time: they mostly wait (outages, restarts, Kafka rebalances), and each keeps to its own
        // schemas, indices, topics, ports and private Kafka clusters. The files that stop shared servers are the
        // `outages` project, run alone after this one (scripts/test.sh).
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: OUTAGES,
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          maxWorkers: 2,
        },
      },
      {
        test: { name: 'outages', include: OUTAGES, environment: 'node', testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          // expect.poll's 1 s default is short for a page's request and render with a CI run beside it on 2 cores.
          expect: { poll: { timeout: 10_000 } },
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
