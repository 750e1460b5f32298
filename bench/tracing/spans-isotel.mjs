// isotel's tracer from configureLogger, its spans flowing through the record buffer and the delivery engine to a
// JSONL backend, as in a service. Prints {medianNs, sustainedNs, turnCpuNs, spans}; spans = lines in the spans
// file of the timed chunked run.
import { readFileSync } from 'node:fs';
import { configureLogger } from '../../dist/node/index.js';
import { measure, measurePerTurn, N, TURN_N } from './spans-shape.mjs';

const dir = process.argv[2];
const logger = await configureLogger({
  config: {
    logger: {
      service_name: 'bench-spans',
      enable_console: false,
      data_dir: `${dir}/data`,
      backends: [{ backend_type: 'filesystem', config: { log_file: `${dir}/out.jsonl`, max_bytes: 2 ** 31, backup_count: 1 } }],
    },
  },
  watch: false,
  exitHooks: false,
});
await measure(logger.tracer, () => logger.flush()); // JIT warm-up, same N
const result = await measure(logger.tracer, () => logger.flush());
const turnCpuNs = await measurePerTurn(logger.tracer, () => logger.flush());
await logger.close();
const spans = readFileSync(`${dir}/out.spans.jsonl`, 'utf8').split('\n').length - 1;
process.stdout.write(JSON.stringify({ ...result, turnCpuNs, spans: spans - N - TURN_N }));
