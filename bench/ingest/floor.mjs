// The JSONL floor of the ingest benchmark: the least an HTTP ingest that stores OTLP JSON durably in a JSONL
// file must do, as a plain node:http server run like `isotel serve` (a child process on a loopback port,
// answering the same load client at the same concurrency). Per request: read the body, JSON.parse it, one line
// per log record (the record with its resource and scope, JSON.stringify'd), ONE append of all the lines,
// ONE fdatasync, then 200; on /v1/metrics the same with one line per data point (with its metric's name, unit and
// type, resource and scope). No validation, enrichment, write-ahead log, record ids or dispatcher: the ratio
// ingest / floor is what all of that costs.
//   node bench/ingest/floor.mjs FILE     prints "listening on http://127.0.0.1:PORT"; SIGTERM closes it.
import * as http from 'node:http';
import { open } from 'node:fs/promises';

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/ingest/floor.mjs FILE');
// O_APPEND: concurrent requests' single writes land whole, one after the other.
const out = await open(file, 'a');

function logLines(request) {
  let text = '';
  for (const rl of request.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) text += JSON.stringify({ ...record, resource: rl.resource, scope: sl.scope }) + '\n';
    }
  }
  return text;
}

function pointLines(request) {
  let text = '';
  for (const rm of request.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const { name, unit, ...m } of sm.metrics ?? []) {
        for (const [type, data] of Object.entries(m)) {
          for (const p of data?.dataPoints ?? []) text += JSON.stringify({ ...p, name, unit, type, resource: rm.resource, scope: sm.scope }) + '\n';
        }
      }
    }
  }
  return text;
}

async function handle(req, res, lines) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    await out.write(lines(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    await out.datasync();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/v1/logs') return void handle(req, res, logLines);
  if (req.method === 'POST' && req.url === '/v1/metrics') return void handle(req, res, pointLines);
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void out.close();
});
