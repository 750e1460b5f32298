// The OTLP/HTTP sink the @opentelemetry/sdk-node variant exports to, in its own process: drains each request,
// answers 200 with an empty ExportTraceServiceResponse, and counts the spans it received (OTLP JSON: one
// "spanId" key per span; no links here). GET /count answers that number. Prints "listening on URL".
import * as http from 'node:http';

let spans = 0;
const KEY = Buffer.from('"spanId"');
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') return res.writeHead(200).end(String(spans));
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    for (let i = body.indexOf(KEY); i !== -1; i = body.indexOf(KEY, i + KEY.length)) spans++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
