// `npm run bench`: every benchmark, each baseline measured in the same run. `--only=logger,browser` picks groups.
import { benchLogger } from './logger.mjs';
import { benchBackends } from './backends.mjs';
import { benchIngest } from './ingest.mjs';
import { benchBrowser } from './browser.mjs';
import { benchSize } from './size.mjs';
import { benchTracing } from './tracing.mjs';
import { benchExplorer } from './explorer.mjs';
import { benchMetrics } from './metrics.mjs';
import { benchKafka } from './kafka.mjs';

const only = (process.argv.find((a) => a.startsWith('--only=')) ?? '').slice('--only='.length).split(',').filter(Boolean);
const groups = [
  ['logger', benchLogger],
  ['backends', benchBackends],
  ['ingest', benchIngest],
  ['browser', benchBrowser],
  ['tracing', benchTracing],
  ['explorer', benchExplorer],
  ['metrics', benchMetrics],
  ['kafka', benchKafka],
  ['size', benchSize],
];
for (const [name, run] of groups) {
  if (only.length > 0 && !only.includes(name)) continue;
  await run();
}
