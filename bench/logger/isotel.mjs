import { configureLogger } from '../../dist/node/index.js';
import { MESSAGE, attrs, N } from './shape.mjs';

const file = process.argv[2];
const logger = await configureLogger({
  config: {
    logger: {
      service_name: 'bench',
      enable_console: false,
      log_level: 'INFO',
      data_dir: `${file}.data`,
      backends: [{ backend_type: 'filesystem', config: { log_file: file, max_bytes: 2 ** 31, backup_count: 1 } }],
    },
  },
  watch: false,
  exitHooks: false,
});
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) logger.info(MESSAGE, attrs(i));
await logger.flush();
const t1 = process.hrtime.bigint();
await logger.close();
process.stdout.write(JSON.stringify({ ns: Number(t1 - t0) }));
