// The workload every metrics contender runs: counter.add(1, attrs) then histogram.record(v, attrs) with three
// attributes, over 12 attribute sets built once (an app's handful of routes and statuses, passed as the same
// objects each time, as instrumented code does), and the same histogram boundaries (prom-client's defaults).
import { createServer } from 'node:net';
export const N = Number(process.env.BENCH_N ?? 2_000_000);
export const WARMUP = Math.min(N, 200_000);
export const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const routes = ['/', '/api/orders', '/api/users', '/health'];
const statuses = ['200', '404', '500'];
export const SETS = routes.flatMap((route) => statuses.map((status) => ({ 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': status })));
export const value = (i) => (i % 1000) / 500;
/**
 * The attributes of call `i` out of `sets`: the same object each time, or with BENCH_ATTRS=fresh a new copy per
 * call, as instrumentations build them per request.
 */
export const attrsOf = (sets) => (process.env.BENCH_ATTRS === 'fresh' ? (i) => ({ ...sets[i % 12] }) : (i) => sets[i % 12]);

/**
 * Times `op(i)` over N calls after a warm-up of the same calls: wall ns per call, and the process's CPU ns per
 * call (user + system, all its threads), which a shared VM's other load disturbs far less than the wall time.
 */
export function timeOps(op) {
  for (let i = 0; i < WARMUP; i++) op(i);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) op(i);
  const wall = Number(process.hrtime.bigint() - t0) / N;
  const c = process.cpuUsage(c0);
  return { wall, cpu: ((c.user + c.system) * 1000) / N };
}

/** The scenario's result line: ns/op of both instruments and the count recorded (checked by bench/metrics.mjs). */
export function report(counter, histogram, recorded) {
  process.stdout.write(`${JSON.stringify({ counter, histogram, recorded })}\n`);
}

/** A port free now on 127.0.0.1 (for a Prometheus port). */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** isotel as an app configures it for the metrics scenarios: JSONL into `dir`, no instrumentations, `metrics` as given. */
export async function configureIsotel(dir, metrics) {
  const { configureLogger } = await import('../../dist/node/index.js');
  return configureLogger({
    config: {
      logger: {
        service_name: 'bench',
        enable_console: false,
        data_dir: `${dir}/data`,
        backends: [{ backend_type: 'filesystem', config: { log_file: `${dir}/out.jsonl` } }],
        tracing: { instrumentations: [] },
        metrics,
      },
    },
    watch: false,
    exitHooks: false,
  });
}
