// The Elasticsearch baseline for bench/backends.mjs: the documents isotel stored (exported to an NDJSON file
// beforehand, parsed before the clock starts), sent with hand-written `_bulk` create requests of 1,000
// documents, `_id` = record_id, with as many requests in flight as isotel's delivery channel (2).
// argv: <docs.ndjson> <index> <es url>. Prints { ns, cpuMs }.
import { readFileSync } from 'node:fs';

const [file, index, url] = process.argv.slice(2);
const BATCH = 1000;
const IN_FLIGHT = 2;
const docs = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));

async function send(from) {
  let body = '';
  for (const doc of docs.slice(from, from + BATCH)) {
    body += `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(doc.record_id)}}}\n${JSON.stringify(doc)}\n`;
  }
  const res = await fetch(`${url}/_bulk?filter_path=errors`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  const json = await res.json();
  if (!res.ok || json.errors !== false) throw new Error(`_bulk failed: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
}

const cpu = process.cpuUsage();
const t0 = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    for (let from = next; from < docs.length; from = next) {
      next += BATCH;
      await send(from);
    }
  }),
);
const t1 = process.hrtime.bigint();
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ ns: Number(t1 - t0), cpuMs: (used.user + used.system) / 1000 }));
