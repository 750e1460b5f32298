/**
 * Records per second into Elasticsearch: isotel's backend vs. hand-written `_bulk` requests of the same
 * documents, and vs. the client's own `bulk({ operations })`. 50,000 log records in batches of 1,000,
 * sent one batch at a time (as the delivery layer does for one backend).
 *
 *   npx tsx bench/es-direct.ts            (Elasticsearch on ISOTEL_ES_URL, default http://127.0.0.1:9200)
 *   RECORDS=20000 ROUNDS=1 npx tsx bench/es-direct.ts
 *
 * Each round runs the three variants in a rotated order, each into fresh indices that are deleted
 * afterwards; compare the rounds, not one line (the server is shared with other work).
 */
import { Client } from '@elastic/elasticsearch';
import { createDiag } from '../src/shared/diag.js';
import type { LogRecord } from '../src/shared/model.js';
import { createElasticsearchBackend } from '../src/node/backends/elasticsearch/index.js';
import { logDocument } from '../src/node/backends/elasticsearch/documents.js';
import { makeLog } from '../src/node/backends/elasticsearch/test-records.js';

const ES = process.env.ISOTEL_ES_URL ?? 'http://127.0.0.1:9200';
const RECORDS = Number(process.env.RECORDS ?? 50_000);
const BATCH = 1_000;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const admin = new Client({ node: ES });
const run = Date.now().toString(36);

function records(variant: string): LogRecord[][] {
  const trace = `${run}${variant}`.padEnd(32, '0').replace(/[^0-9a-f]/g, 'a').slice(0, 32);
  const all = Array.from({ length: RECORDS }, (_, i) => ({ ...makeLog(i, trace), record_id: `${variant}-${i}` }));
  const batches: LogRecord[][] = [];
  for (let i = 0; i < all.length; i += BATCH) batches.push(all.slice(i, i + BATCH));
  return batches;
}

/** Wall-clock records/s (bound by the server's indexing) and this process's CPU per 1,000 records (the client's own cost). */
async function timed(name: string, prefix: string, body: () => Promise<void>): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await body();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuMsPer1000 = (used.user + used.system) / 1000 / (RECORDS / 1000);
  await admin.indices.refresh({ index: `${prefix}-*` });
  const stored = (await admin.count({ index: `${prefix}-*` })).count;
  console.log(
    `  ${name.padEnd(34)} ${Math.round(RECORDS / seconds).toString().padStart(7)} records/s  ` +
      `client CPU ${cpuMsPer1000.toFixed(1).padStart(5)} ms per 1,000  (${seconds.toFixed(2)} s, ${stored} stored)`,
  );
}

type Variant = { name: string; run: (prefix: string, batches: LogRecord[][]) => Promise<void> };

/** The backend's own template mappings, so the direct variants index into identically mapped indices. */
let mappings: Record<string, unknown> | undefined;

const variants: Variant[] = [
  {
    name: 'isotel backend.write',
    async run(prefix, batches) {
      const backend = await createElasticsearchBackend(
        { hosts: [ES], index_pattern: `${prefix}-logs-%Y.%m.%d`, span_index_pattern: `${prefix}-traces-%Y.%m.%d`, template_name: prefix },
        { dataDir: '/tmp', diag: createDiag() },
      );
      if (!mappings) {
        const template = await admin.indices.getIndexTemplate({ name: `${prefix}-logs` });
        mappings = template.index_templates[0].index_template.template?.mappings as Record<string, unknown>;
      }
      await timed(this.name, prefix, async () => {
        for (const logs of batches) {
          const r = await backend.write({ logs, spans: [], metrics: [] });
          if (r.status !== 'success') throw new Error(JSON.stringify(r).slice(0, 300));
        }
      });
      await backend.close();
    },
  },
  {
    name: 'hand-written _bulk (fetch, NDJSON)',
    async run(prefix, batches) {
      await admin.indices.create({ index: `${prefix}-logs`, mappings });
      await timed(this.name, prefix, async () => {
        for (const logs of batches) {
          let body = '';
          for (const r of logs) body += `{"create":{"_index":"${prefix}-logs","_id":"${r.record_id}"}}\n${JSON.stringify(logDocument(r))}\n`;
          const res = await fetch(`${ES}/_bulk?filter_path=errors`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
          const json = (await res.json()) as { errors?: boolean };
          if (!res.ok || json.errors !== false) throw new Error(`bulk failed: ${res.status}`);
        }
      });
    },
  },
  {
    name: 'client.bulk({ operations })',
    async run(prefix, batches) {
      await admin.indices.create({ index: `${prefix}-logs`, mappings });
      const client = new Client({ node: ES, maxRetries: 0 });
      await timed(this.name, prefix, async () => {
        for (const logs of batches) {
          const operations: unknown[] = [];
          for (const r of logs) operations.push({ create: { _index: `${prefix}-logs`, _id: r.record_id } }, logDocument(r));
          const res = await client.bulk({ operations, filter_path: 'errors' });
          if (res.errors !== false) throw new Error('bulk failed');
        }
      });
      await client.close();
    },
  },
];

async function main(): Promise<void> {
  const prefixes: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      console.log(`round ${round + 1} of ${ROUNDS}: ${RECORDS} log records, batches of ${BATCH}`);
      // Rotate the order each round so no variant always runs first (on a cold or a busy server).
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + round) % variants.length];
        const prefix = `isotel-bench-${run}-${round}-${(k + round) % variants.length}`;
        prefixes.push(prefix);
        await v.run(prefix, records(`${round}${k}`));
        await cleanup([prefix]);
      }
    }
  } finally {
    await cleanup(prefixes);
    await admin.close();
  }
}

async function cleanup(prefixes: string[]): Promise<void> {
  for (const p of prefixes) {
    const indices = Object.keys(await admin.indices.get({ index: `${p}-*`, allow_no_indices: true }));
    if (indices.length > 0) await admin.indices.delete({ index: indices });
    await admin.indices.deleteIndexTemplate({ name: `${p}-logs,${p}-traces` }, { ignore: [404] });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
