// The downstream service of the HTTP tracing benchmark, in its own process, uninstrumented: answers every
// request with a small JSON body. Prints "listening on URL".
import * as http from 'node:http';

const body = Buffer.from('{"price":42}');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
