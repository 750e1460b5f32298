// `npm run demo` (for now): a small Node service that logs inside spans on the embedded default backend
// (rotating JSONL files) and prints where the records went.
import { configureLogger } from '../dist/node/index.js';
import { resolve } from 'node:path';

const logFile = resolve('logs/demo-service.jsonl');
const logger = await configureLogger({
  config: {
    logger: {
      service_name: 'demo-service',
      service_version: '1.0.0',
      log_level: 'DEBUG',
      enable_console: true,
      backends: [{ backend_type: 'filesystem', config: { log_file: logFile, max_bytes: 10485760, backup_count: 5 } }],
    },
  },
});

logger.info('Application started', { user_id: 'user123' });

const calculatePrice = logger.traced('calculate_price', (base, discount) => base * (1 - discount), { correlation_id: 'req-001' });
const price = calculatePrice(100, 0.15);
logger.info('Calculated price', { price });

await logger.withSpan('data_processing', { batch_size: 100 }, async () => {
  logger.info('Processing batch', { batch_id: 'batch_001', size: 100 });
  await new Promise((r) => setTimeout(r, 20));
  await Promise.all([1, 2, 3].map(async (n) => logger.debug('Processed item', { item: n })));
  logger.info('Batch processing completed');
});

logger.error('Database connection failed', { error_code: 'DB001', password: 'hunter2' });
await logger.close();

console.log(`\nLogs:  ${logFile}`);
console.log(`Spans: ${logFile.replace(/\.jsonl$/, '.spans.jsonl')}`);
console.log('Each line is one OpenTelemetry record in JSON; records inside a span carry its trace_id and span_id.');
