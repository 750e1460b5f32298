import { runScenario, tempDir, removeDir, median, printTable, fmt, size } from './lib.mjs';

const N = size('BENCH_N', 2_000_000, 200_000);
const RUNS = size('BENCH_RUNS', 5, 1);

const contenders = [
  { name: 'isotel (registered global MeterProvider)', script: 'bench/metrics/isotel.mjs' },
  { name: '@opentelemetry/sdk-metrics directly', script: 'bench/metrics/sdk.mjs', baseline: true },
  { name: 'prom-client', script: 'bench/metrics/prom-client.mjs' },
];

/**
 * The metrics hot path: ns per `counter.add(1, attrs)` and per `histogram.record(v, attrs)` with three
 * attributes (12 attribute sets, the same 11 histogram boundaries), each contender in its own process, the
 * median of RUNS runs. Each run checks that every add was counted (the count its collection reports).
 */
export async function benchMetrics() {
  const hotPath = {};
  for (const shape of SHAPES) hotPath[shape.id] = benchHotPath(shape);
  return { hotPath, memory: benchMetricsMemory() };
}

/** The attributes as the bench passes them: one object per set, or a new object per call (BENCH_ATTRS). */
const SHAPES = [
  { id: 'same', title: 'the same 12 attribute objects' },
  { id: 'fresh', title: 'a new attributes object per call, as instrumentations build them' },
];

function benchHotPath(shape) {
  const results = [];
  for (const c of contenders) {
    const counter = [];
    const histogram = [];
    for (let run = 0; run < RUNS; run++) {
      const dir = tempDir();
      try {
        const r = runScenario(c.script, [dir], { BENCH_N: String(N), BENCH_ATTRS: shape.id });
        const expected = N + Math.min(N, 200_000);
        if (r.recorded !== expected) throw new Error(`${c.name}: ${r.recorded} adds counted, expected ${expected}`);
        counter.push(r.counter);
        histogram.push(r.histogram);
      } finally {
        removeDir(dir);
      }
    }
    const med = (xs, k) => median(xs.map((x) => x[k]));
    results.push({ ...c, counter: { wall: med(counter, 'wall'), cpu: med(counter, 'cpu') }, histogram: { wall: med(histogram, 'wall'), cpu: med(histogram, 'cpu') } });
  }
  const base = results.find((r) => r.baseline);
  const fastest = (k) => Math.min(...results.filter((r) => !r.name.startsWith('isotel')).map((r) => r[k].cpu));
  const rows = results.map((r) => [
    r.name,
    r.counter.wall.toFixed(0),
    r.counter.cpu.toFixed(0),
    fmt.ratio(base.counter.cpu / r.counter.cpu),
    r.histogram.wall.toFixed(0),
    r.histogram.cpu.toFixed(0),
    fmt.ratio(base.histogram.cpu / r.histogram.cpu),
    r.name.startsWith('isotel') ? (r.counter.cpu <= fastest('counter') && r.histogram.cpu <= fastest('histogram') ? 'ok' : '!') : '-',
  ]);
  printTable(
    `Metrics hot path, 3 attributes, ${shape.title}, N=${N.toLocaleString('en-US')} calls per instrument, median of ${RUNS} runs (ratio: sdk-metrics CPU ns / contender CPU ns, > 1 is faster; goal: isotel at least as fast as the faster of the two others)`,
    ['contender', 'counter.add wall ns', 'CPU ns', 'ratio', 'histogram.record wall ns', 'CPU ns', 'ratio', 'goal'],
    rows,
  );
  return results;
}

/** Issue 12's memory goal: 10,000 live series under 50 MB in the Node SDK (bench/metrics/memory.mjs). */
function benchMetricsMemory() {
  const runs = RUNS;
  const results = [];
  for (const c of [{ name: 'isotel (engine export every 1 s + Prometheus port)', id: 'isotel' }, { name: '@opentelemetry/sdk-metrics directly', id: 'sdk' }, { name: 'prom-client', id: 'prom-client' }]) {
    const heap = [];
    const rss = [];
    for (let run = 0; run < runs; run++) {
      const dir = tempDir();
      try {
        const r = runScenario('bench/metrics/memory.mjs', [c.id, dir]);
        heap.push(r.heapMB);
        rss.push(r.rssMB);
      } finally {
        removeDir(dir);
      }
    }
    results.push({ name: c.name, heapMB: median(heap), rssMB: median(rss) });
  }
  printTable(
    `Metrics memory: 10,000 live series (5 counters + 5 histograms x 1,000 attribute sets), recorded, exported twice, recorded again; growth over the same process before them, median of ${runs} runs`,
    ['contender', 'heap MB (after gc)', 'RSS MB', 'goal'],
    results.map((r) => [r.name, r.heapMB.toFixed(1), r.rssMB.toFixed(1), r.name.startsWith('isotel') ? (r.heapMB < 50 ? '< 50 MB ok' : '< 50 MB !') : '-']),
  );
  return results;
}
