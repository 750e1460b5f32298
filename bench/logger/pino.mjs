import { once } from 'node:events';
import pino from 'pino';
import { MESSAGE, attrs, N } from './shape.mjs';

const file = process.argv[2];
// sonic-boom's asynchronous mode (sync: false), the fast pino set-up; its file is open before timing starts.
const dest = pino.destination({ dest: file, sync: false, mkdir: true });
await once(dest, 'ready');
const logger = pino({ level: 'info' }, dest);
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) logger.info(attrs(i), MESSAGE);
const finished = once(dest, 'finish');
dest.end();
await finished;
const t1 = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ ns: Number(t1 - t0) }));
