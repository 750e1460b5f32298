import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { hex } from './otlp.js';

/**
 * The client side of the scaled-out tests: senders that post numbered batches of log records (one trace id
 * per batch, so one Kafka message each) to whichever ingest `pick` names and retry each batch until a 200,
 * as a browser's queue or an OTel SDK does; and readers of what the stores hold, by record id.
 */
export interface LoadStats {
  acked: Set<string>;
  attempts: number;
  refused: number;
  unavailable: number;
  retryAfter: Set<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const uid = (tag: string, i: number) => `${tag}-${i}`;

export function batchBody(tag: string, b: number, size: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const records = [];
  for (let i = b * size; i < (b + 1) * size; i++) {
    records.push({
      timeUnixNano: String(now + BigInt(i)),
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: `kafka record ${i}` },
      attributes: [{ key: 'log.record.uid', value: { stringValue: uid(tag, i) } }, { key: 'i', value: { intValue: String(i) } }],
      traceId: hex(b + 1, 32),
      spanId: hex(i + 1, 16),
    });
  }
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kafka-client' } }] }, scopeLogs: [{ scope: { name: 'kafka' }, logRecords: records }] }] });
}

/** Sends `batches` batches of `size` with `senders` concurrent clients at about `pace` records/s. */
export async function runLoad(o: { tag: string; batches: number; size: number; senders: number; pace: number; pick: (b: number) => string }): Promise<LoadStats> {
  const stats: LoadStats = { acked: new Set(), attempts: 0, refused: 0, unavailable: 0, retryAfter: new Set() };
  let next = 0;
  const t0 = Date.now();
  const sender = async () => {
    for (let b = next++; b < o.batches; b = next++) {
      const due = t0 + (b * o.size * 1000) / o.pace;
      if (due > Date.now()) await sleep(due - Date.now());
      const body = batchBody(o.tag, b, o.size);
      for (let attempt = 0; ; attempt++) {
        stats.attempts++;
        let res: Response;
        try {
          res = await fetch(`${o.pick(b + attempt)}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
        } catch {
          stats.refused++; // killed mid-request or down: send again (to the next ingest)
          await sleep(50 + Math.random() * 100);
          continue;
        }
        const text = await res.text().catch(() => '');
        if (res.status === 200) {
          for (let i = b * o.size; i < (b + 1) * o.size; i++) stats.acked.add(uid(o.tag, i));
          break;
        }
        if (res.status === 503 || res.status === 429) {
          stats.unavailable++;
          stats.retryAfter.add(res.headers.get('retry-after') ?? 'none');
          // A real client waits Retry-After; the test waits at most 1 s so the run stays short.
          await sleep(Math.min(1000, Number(res.headers.get('retry-after') ?? 1) * 1000));
          continue;
        }
        throw new Error(`batch ${b} refused for good: ${res.status} ${text}`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.senders }, sender));
  return stats;
}

/** How often each record id is stored: PostgreSQL rows of the run's table. */
export async function pgIds(table: string, prefix: string): Promise<Map<string, number>> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await client.connect();
  try {
    const r = await client.query<{ record_id: string; n: string }>(`SELECT record_id, count(*) AS n FROM ${table} WHERE record_id LIKE $1 GROUP BY record_id`, [`${prefix}-%`]);
    return new Map(r.rows.map((row) => [row.record_id, Number(row.n)]));
  } catch {
    return new Map();
  } finally {
    await client.end();
  }
}

/** Every document id (the record id) in the run's log indices, by a scroll. */
export async function esIds(index: string): Promise<Map<string, number>> {
  const ES = 'http://127.0.0.1:9200';
  await fetch(`${ES}/${index}/_refresh`, { method: 'POST' });
  const ids = new Map<string, number>();
  let res = await fetch(`${ES}/${index}/_search?scroll=1m`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ size: 10_000, _source: false, query: { match_all: {} } }) });
  if (!res.ok) return ids;
  let page = (await res.json()) as { _scroll_id: string; hits: { hits: Array<{ _id: string }> } };
  while (page.hits.hits.length > 0) {
    for (const h of page.hits.hits) ids.set(h._id, (ids.get(h._id) ?? 0) + 1);
    res = await fetch(`${ES}/_search/scroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scroll: '1m', scroll_id: page._scroll_id }) });
    page = (await res.json()) as typeof page;
  }
  await fetch(`${ES}/_search/scroll`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scroll_id: page._scroll_id }) });
  return ids;
}

/**
 * Lines per record id in the JSONL files of `dirs` (every file whose name starts with `prefix`, rotated ones too,
 * and the per-partition files of a writer, `<stem>.<topic>.<partition>.jsonl`).
 */
export function jsonlIds(dirs: string[], prefix: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const d of dirs) {
    // JSONL files and their rotated backups (.1, .2, ...), not the partition files' .state and .lock beside them.
    const isJsonl = (n: string) => /\.jsonl(\.\d+)?$/.test(n);
    for (const f of existsSync(d) ? readdirSync(d).filter((n) => n.startsWith(prefix) && isJsonl(n) && !n.includes('spans')) : []) {
      for (const line of readFileSync(join(d, f), 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const id = (JSON.parse(line) as { record_id: string }).record_id;
          ids.set(id, (ids.get(id) ?? 0) + 1);
        } catch {
          ids.set('<torn line>', (ids.get('<torn line>') ?? 0) + 1);
        }
      }
    }
  }
  return ids;
}

/** Acknowledged ids missing from `stored`, ids stored more than once, and ids stored that were never acknowledged is fine (a 200 lost with the process). */
export function compare(acked: Set<string>, stored: Map<string, number>): { missing: number; doubled: number; firstMissing?: string } {
  let missing = 0;
  let firstMissing: string | undefined;
  for (const id of acked) if (!stored.has(id)) {
    missing++;
    firstMissing ??= id;
  }
  let doubled = 0;
  for (const n of stored.values()) if (n > 1) doubled++;
  return { missing, doubled, ...(firstMissing ? { firstMissing } : {}) };
}
