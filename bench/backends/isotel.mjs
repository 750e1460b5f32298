// One isotel run for bench/backends.mjs: configureLogger → logger.info × N → flush, into the backend given as
// JSON in argv[2]. queue.max_records is above N, so every record goes from memory to the backend: the time is
// the loading, not spilling to disk. Prints { ns, cpuMs, health }.
import { configureLogger } from '../../dist/node/index.js';
import { MESSAGE, attrs } from '../logger/shape.mjs';

const [backendJson, dataDir, count] = process.argv.slice(2);
const N = Number(count);
const logger = await configureLogger({
  config: {
    logger: {
      service_name: 'bench',
      enable_console: false,
      log_level: 'INFO',
      data_dir: dataDir,
      queue: { max_records: N + 10_000 },
      backends: [JSON.parse(backendJson)],
    },
  },
  watch: false,
  exitHooks: false,
  registerGlobal: false,
});
const cpu = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) logger.info(MESSAGE, attrs(i));
await logger.flush();
const t1 = process.hrtime.bigint();
const used = process.cpuUsage(cpu);
const health = logger.health().backends[0];
await logger.close();
process.stdout.write(JSON.stringify({ ns: Number(t1 - t0), cpuMs: (used.user + used.system) / 1000, health }));
