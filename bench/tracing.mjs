// Tracing (issue 11): two tables, every baseline measured in the same run.
// 1. Span start+end: median ns per tracer.startSpan(...).end() with a recording sampler; isotel's tracer (spans
//    through the record buffer and the delivery engine to JSONL) vs sdk-trace-base with a no-op processor and
//    with a BatchSpanProcessor + no-op exporter (tracing/spans.mjs). Goal: isotel <= 1 µs median.
// 2. HTTP service (tracing/http.mjs): GET / = one fetch to an upstream process + one PostgreSQL query;
//    uninstrumented vs isotel (logger.tracing.instrumentations [http, undici, pg] → JSONL) vs
//    @opentelemetry/sdk-node with the same three instrumentations → OTLP/HTTP to a local sink process.
//    Goals: throughput >= 0.85x uninstrumented; isotel's added CPU per request <= 0.5x sdk-node's.
//   node bench/run.mjs --only=tracing [--quick]   BENCH_RUNS=3 BENCH_SPANS_N=200000 BENCH_TRACING_SECONDS=8
//   BENCH_TRACING_CLIENTS=16 BENCH_TRACING_WARMUP=2 BENCH_TRACING_APP=<another app.mjs, same arguments>
import { printTable, fmt, size, median, QUICK, tempDir, removeDir } from './lib.mjs';
import { runSpans, SPAN_CONTENDERS } from './tracing/spans.mjs';
import { PER_TURN } from './tracing/spans-shape.mjs';
import { startServices, runVariant, VARIANTS } from './tracing/http.mjs';

const RUNS = size('BENCH_RUNS', 3, 1);
const SPANS_N = size('BENCH_SPANS_N', 200_000, 20_000);
const LOAD = {
  clients: size('BENCH_TRACING_CLIENTS', 16, 8),
  warmupSeconds: size('BENCH_TRACING_WARMUP', 2, 1),
  seconds: size('BENCH_TRACING_SECONDS', 8, 3),
};
const GOALS = { spanNs: 1000, throughput: 0.85, addedRatio: 0.5 };
const mark = (ok) => (ok ? ' ok' : ' !');
const quickNote = QUICK ? '; QUICK: small N, figures not meaningful' : '';

function spanTable(runs) {
  const noop = median(runs.map((r) => r.noop.medianNs));
  const rows = SPAN_CONTENDERS.map((c) => {
    const med = median(runs.map((r) => r[c.key].medianNs));
    const sustained = median(runs.map((r) => r[c.key].sustainedNs));
    const goal = c.key === 'isotel' ? mark(med <= GOALS.spanNs) : '';
    const turnCpu = median(runs.map((r) => r[c.key].turnCpuNs));
    return [c.name, `${fmt.ns(med)}${goal}`, fmt.ns(sustained), c.baseline ? '-' : fmt.ns(med - noop), fmt.ratio(med / noop), fmt.ns(turnCpu)];
  });
  printTable(
    `Span start+end (recording sampler, name + 3 attributes; ${SPANS_N.toLocaleString('en-US')} spans in chunks of 1,000, one event-loop turn between chunks; median of ${RUNS} run${RUNS === 1 ? '' : 's'}${quickNote})`,
    ['tracer', 'median ns/span', 'sustained ns/span (incl. flush)', 'added ns vs no-op SDK', 'ratio to no-op SDK', `CPU ns/span, ${PER_TURN} per event-loop turn`],
    rows,
  );
  console.log(
    `\nGoal: isotel <= ${GOALS.spanNs} ns median. "sustained" = all spans / total time including the final flush (delivery work included). ` +
      `Last column: ${PER_TURN} spans then one event-loop turn, as a service ends them; CPU of every thread (writer thread, exporter) per span, the turns included.`,
  );
}

/** Per run: every variant in a fresh process, the order rotated between runs; ratios taken within the run. */
async function httpRuns() {
  const dir = tempDir('isotel-bench-tracing-');
  const services = await startServices(dir);
  const runs = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]);
      const run = {};
      for (const v of order) run[v] = await runVariant(v, services, LOAD);
      for (const v of VARIANTS) {
        run[v].throughputRatio = run[v].perSec / run.none.perSec;
        run[v].addedCpuUs = run[v].cpuUsPerReq - run.none.cpuUsPerReq;
        run[v].addedP50 = run[v].p50 - run.none.p50;
      }
      run.isotel.addedVsSdk = run.isotel.addedCpuUs / run['sdk-node'].addedCpuUs;
      // What an SDK itself adds above the instrumentations it is built on (recording, export), within the run.
      for (const v of ['isotel', 'sdk-node']) run[v].overFloorUs = run[v].cpuUsPerReq - run['instrumented-noop'].cpuUsPerReq;
      run.isotel.overFloorVsSdk = run.isotel.overFloorUs / run['sdk-node'].overFloorUs;
      runs.push(run);
    }
  } finally {
    await services.stop();
    removeDir(dir);
  }
  return runs;
}

const HTTP_NAMES = {
  none: 'uninstrumented',
  'context-only': 'floor: AsyncLocalStorage context manager only',
  'instrumented-noop': 'floor: + the 3 instrumentations, spans to a no-op processor',
  isotel: 'isotel (http, undici, pg → JSONL)',
  'sdk-node': '@opentelemetry/sdk-node (same 3 → OTLP/HTTP sink)',
};

function httpTable(runs) {
  const m = (v, k) => median(runs.map((r) => r[v][k]));
  // A variant that records fewer spans per request than sdk-node does less work: its cost ratio is no result.
  const spansMissing = m('isotel', 'spansPerReq') < 0.9 * m('sdk-node', 'spansPerReq');
  const rows = VARIANTS.map((v) => {
    const base = v === 'none';
    return [
      HTTP_NAMES[v], fmt.int(m(v, 'perSec')), m(v, 'p50').toFixed(2), m(v, 'p99').toFixed(2), fmt.int(m(v, 'cpuUsPerReq')),
      base ? '-' : fmt.int(m(v, 'addedCpuUs')), base ? '-' : m(v, 'addedP50').toFixed(2),
      base ? '-' : `${fmt.ratio(m(v, 'throughputRatio'))}${v === 'isotel' && !spansMissing ? mark(m(v, 'throughputRatio') >= GOALS.throughput) : ''}`,
      v === 'isotel' ? `${m(v, 'addedVsSdk').toFixed(2)}${spansMissing ? ' ! spans missing' : mark(m(v, 'addedVsSdk') <= GOALS.addedRatio)}` : '-',
      v === 'isotel' || v === 'sdk-node' ? fmt.int(m(v, 'overFloorUs')) : '-',
      v === 'isotel' ? m(v, 'overFloorVsSdk').toFixed(2) : '-',
      m(v, 'spansPerReq').toFixed(2),
    ];
  });
  printTable(
    `HTTP service with tracing (GET / = fetch to an upstream process + one PostgreSQL query; ${LOAD.clients} keep-alive clients, ` +
      `${LOAD.seconds} s after ${LOAD.warmupSeconds} s warm-up, fresh process per variant; median of ${RUNS} run${RUNS === 1 ? '' : 's'}${quickNote})`,
    ['variant', 'req/s', 'p50 ms', 'p99 ms', 'app CPU µs/req', 'added CPU µs/req', 'added p50 ms', 'throughput / uninstr.', 'added CPU / sdk-node added', 'CPU over instr. floor µs/req', 'over floor / sdk-node over floor', 'spans/req'],
    rows,
  );
  console.log(
    `\nGoals: throughput >= ${GOALS.throughput}x uninstrumented; isotel's added CPU per request <= ${GOALS.addedRatio}x sdk-node's. ` +
      'App CPU = utime+stime of the app process (every thread: isotel\'s file writer, sdk-node\'s exporter). spans/req should be ' +
      'the same for isotel and sdk-node (server + fetch client + pg spans); 0 for isotel means its instrumentations are not wired. ' +
      'The two floor rows record nothing: they show what the async context and the official instrumentations cost by themselves, which any SDK built on them pays; ' +
      '"over instr. floor" is the SDK\'s own part (recording, export) above the second floor, taken within each run, so it drifts less with the machine than the absolute columns.',
  );
}

export async function benchTracing() {
  const spanRuns = [];
  for (let r = 0; r < RUNS; r++) spanRuns.push(runSpans(SPANS_N));
  spanTable(spanRuns);
  const runs = await httpRuns();
  httpTable(runs);
  return { spanRuns, runs };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTracing();
