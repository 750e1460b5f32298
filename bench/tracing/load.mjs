// The closed-loop client of the HTTP tracing benchmark: `clients` keep-alive connections, each sending the
// next GET as soon as the last is answered, for `seconds`; every request timed.
import * as http from 'node:http';

function get(agent, url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Resolves with {requests, seconds, latencies (ms)}; a non-200 answer rejects (a broken variant must not be measured). */
export async function closedLoop(url, clients, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const status = await get(agent, url);
      if (status !== 200) throw new Error(`${url} answered ${status}`);
      latencies.push(performance.now() - t);
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, worker));
  } finally {
    agent.destroy();
  }
  return { requests: latencies.length, seconds: (performance.now() - start) / 1000, latencies };
}
