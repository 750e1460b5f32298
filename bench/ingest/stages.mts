// CPU (process.cpuUsage, steadier than wall time on a shared machine) per 1,000 records of each stage of the
// ingest -> write-ahead log -> PostgreSQL path, on the ingest benchmark's request bodies.
// Run: npx tsx bench/ingest/stages.mts
// @ts-expect-error: a plain .mjs module of the benchmark, without declarations
import { buildBodies } from './load.mjs';
import { decodeLogs } from '../../src/shared/otlp/index.js';
import { enrichLogs } from '../../src/collector-endpoint/enrich.js';
import { encodeFrame, decodePayload } from '../../src/node/engine/frames.js';
import { batchCopyText } from '../../src/node/backends/postgres/batch-rows.js';
import { createDiag } from '../../src/shared/diag.js';

const bodies: Buffer[] = buildBodies(100_000, 500, 'st');
const diag = createDiag(() => undefined);
const redactor = { redactsAnything: false } as never;
const cpu = (name: string, fn: () => void, n = 100_000) => {
  for (let i = 0; i < 2; i++) fn();
  const c = process.cpuUsage();
  fn();
  const u = process.cpuUsage(c);
  console.log(name.padEnd(28), (((u.user + u.system) / 1000) / (n / 1000)).toFixed(2), 'ms/1000');
};
let batches: any[] = [];
let frames: any[] = [];
let decoded: any[] = [];
cpu('toString+JSON.parse body', () => { for (const b of bodies) JSON.parse(b.toString('utf8')); });
cpu('decode (parse+decodeLogs)', () => {
  batches = bodies.map((b) => {
    const d = decodeLogs(JSON.parse(b.toString('utf8')), {});
    enrichLogs(d.records, { receivedAtMs: Date.now(), skewThresholdMs: 1000, redactor });
    return { logs: d.records, spans: [], metrics: [] };
  });
});
cpu('encodeFrame', () => { frames = batches.map((b, i) => encodeFrame(i, b)); });
cpu('decodePayload', () => { decoded = frames.map((f) => decodePayload(f.parts[1], { length: f.parts[1].length, crc: f.parts[0].readUInt32LE(4), count: f.count })); });
cpu('batchCopyText', () => { for (let i = 0; i < decoded.length; i += 2) batchCopyText({ logs: [...decoded[i].batch.logs, ...decoded[i + 1].batch.logs], spans: [], metrics: [] }, [], diag); });
