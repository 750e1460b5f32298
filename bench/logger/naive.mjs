import { appendFileSync } from 'node:fs';
import { MESSAGE, attrs, N } from './shape.mjs';

const file = process.argv[2];
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  appendFileSync(file, JSON.stringify({ timestamp: new Date().toISOString(), severity_text: 'INFO', body: MESSAGE, attributes: attrs(i) }) + '\n');
}
const t1 = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ ns: Number(t1 - t0) }));
