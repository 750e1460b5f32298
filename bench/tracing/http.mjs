// HTTP server throughput with tracing: bench/tracing/app.mjs (GET / = one fetch to an upstream process + one
// PostgreSQL query) in a fresh process per variant, loaded by the closed-loop client (load.mjs) with CLIENTS
// connections for SECONDS after a warm-up. The upstream and the OTLP sink are child processes of their own.
// Per variant: req/s, p50/p99 latency, the app process's CPU per request (/proc, every thread), and the spans it
// recorded per request (isotel: lines of its JSONL spans file; sdk-node: spans the sink received), so that a
// variant that records nothing shows it.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startListening } from '../ingest/serve.mjs';
import { cpuSeconds } from '../ingest/targets.mjs';
import { percentile } from '../ingest/load.mjs';
import { countLines, tempDir, removeDir } from '../lib.mjs';
import { closedLoop } from './load.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const VARIANTS = ['none', 'context-only', 'instrumented-noop', 'isotel', 'sdk-node'];

/** Starts the upstream and the sink; returns them with a stop(). */
export async function startServices(dir) {
  const upstream = await startListening('upstream', [join(HERE, 'upstream.mjs')], join(dir, 'upstream.log'));
  const sink = await startListening('OTLP sink', [join(HERE, 'sink.mjs')], join(dir, 'sink.log'));
  return { upstream, sink, stop: () => Promise.all([upstream.stop(), sink.stop()]) };
}

async function sinkCount(sink) {
  return Number(await (await fetch(`${sink.url}/count`)).text());
}

/** One variant in a fresh app process: warm-up, timed load, then SIGTERM (the app flushes) and the span count. */
export async function runVariant(variant, services, { clients, warmupSeconds, seconds }, script = process.env.BENCH_TRACING_APP ?? join(HERE, 'app.mjs')) {
  const dir = tempDir(`isotel-bench-tracing-${variant}-`);
  const app = await startListening(`app (${variant})`, [script, variant, services.upstream.url, dir, services.sink.url], join(dir, 'app.log'));
  try {
    const sinkBefore = await sinkCount(services.sink);
    const warm = await closedLoop(app.url, clients, warmupSeconds);
    global.gc?.();
    const cpu0 = cpuSeconds(app.child.pid);
    const load = await closedLoop(app.url, clients, seconds);
    const cpu = cpuSeconds(app.child.pid) - cpu0;
    await app.stop();
    const spans = variant === 'isotel' ? await countLines(join(dir, 'out.spans.jsonl')) : (await sinkCount(services.sink)) - sinkBefore;
    return {
      variant,
      perSec: load.requests / load.seconds,
      p50: percentile(load.latencies, 50),
      p99: percentile(load.latencies, 99),
      cpuUsPerReq: (cpu * 1e6) / load.requests,
      spansPerReq: spans / (warm.requests + load.requests),
    };
  } finally {
    await app.stop();
    removeDir(dir);
  }
}
