// The load client of the ingest benchmark: pre-built OTLP JSON (here; metrics.mjs for /v1/metrics) or protobuf (protobuf.mjs) requests, sent by a few keep-alive
// connections at once, every request timed; and the wait until the server's backends have everything.
import * as http from 'node:http';

const hex = (n, len) => n.toString(16).padStart(len, '0').slice(-len);

/** `n` log records as OTLP JSON request bodies of `batch` records each (built before any timing starts). */
export function buildBodies(n, batch, runTag) {
  const bodies = [];
  const base = BigInt(Date.now()) * 1_000_000n;
  for (let b = 0; b * batch < n; b++) {
    const records = [];
    for (let i = b * batch; i < Math.min(n, (b + 1) * batch); i++) {
      records.push({
        timeUnixNano: String(base + BigInt(i) * 1000n),
        severityNumber: i % 10 === 0 ? 17 : 9,
        severityText: i % 10 === 0 ? 'ERROR' : 'INFO',
        body: { stringValue: `Request ${i} handled in ${i % 97} ms` },
        attributes: [
          { key: 'log.record.uid', value: { stringValue: `${runTag}-${i}` } },
          { key: 'http.request.method', value: { stringValue: 'GET' } },
          { key: 'url.path', value: { stringValue: `/price/${i}` } },
          { key: 'http.response.status_code', value: { intValue: '200' } },
          { key: 'user.id', value: { stringValue: `user${i % 100}` } },
          { key: 'ratio', value: { doubleValue: i / 7 } },
        ],
        traceId: hex((i % 5000) + 1, 32),
        spanId: hex(i + 1, 16),
        flags: 1,
      });
    }
    bodies.push(Buffer.from(JSON.stringify({
      resourceLogs: [{
        resource: { attributes: [
          { key: 'service.name', value: { stringValue: 'bench' } },
          { key: 'service.version', value: { stringValue: '1.0.0' } },
          { key: 'deployment.environment.name', value: { stringValue: 'bench' } },
        ] },
        scopeLogs: [{ scope: { name: 'bench', version: '0.1.0' }, logRecords: records }],
      }],
    })));
  }
  return bodies;
}

function post(agent, url, body, contentType) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), retryAfter: Number(res.headers['retry-after'] ?? 1) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends every body to `route` (retrying 429/503 after Retry-After); resolves with the wall time and each request's latency. */
export async function sendAll(baseUrl, bodies, concurrency, contentType = 'application/json', route = '/v1/logs') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = `${baseUrl}${route}`;
  const latencies = [];
  let next = 0;
  let retries = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (;;) {
        const t = performance.now();
        const res = await post(agent, url, body, contentType);
        latencies.push(performance.now() - t);
        if (res.status === 200) break;
        if (res.status !== 429 && res.status !== 503) throw new Error(`ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
        retries++;
        await new Promise((r) => setTimeout(r, res.retryAfter * 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return { start, seconds, latencies, retries, clientCpuSeconds: (used.user + used.system) / 1e6 };
}

/** Polls /health until the backend has nothing waiting; resolves with the time (performance.now()) it saw that. */
export async function waitPersisted(baseUrl, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const h = await (await fetch(`${baseUrl}/health`)).json();
    if (h.backends.every((b) => b.waiting_on_disk === 0)) return { at: performance.now(), health: h };
    if (Date.now() > end) throw new Error(`not persisted in ${timeoutMs} ms: ${JSON.stringify(h.backends)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
