import { join } from 'node:path';
import { runScenario, tempDir, removeDir, countLines, median, printTable, fmt, size } from './lib.mjs';

const N = size('BENCH_N', 200_000, 20_000);
const RUNS = size('BENCH_RUNS', 3, 1);

const contenders = [
  { name: 'isotel → JSONL', script: 'bench/logger/isotel.mjs' },
  { name: 'pino → file (async destination)', script: 'bench/logger/pino.mjs', baseline: true },
  { name: '@opentelemetry/sdk-logs batch → file', script: 'bench/logger/otel-sdk-logs.mjs' },
  { name: 'JSON.stringify + appendFileSync', script: 'bench/logger/naive.mjs' },
];

/** Logger throughput: N records of one shape to a file, time including the final flush. */
export async function benchLogger() {
  const results = [];
  for (const c of contenders) {
    const times = [];
    let lost = 0;
    for (let run = 0; run < RUNS; run++) {
      const dir = tempDir();
      const file = join(dir, 'out.jsonl');
      try {
        const { ns } = runScenario(c.script, [file], { BENCH_N: String(N) });
        times.push(ns);
        lost = Math.max(lost, N - (await countLines(file)));
      } finally {
        removeDir(dir);
      }
    }
    results.push({ ...c, ns: median(times), lost });
  }
  const pino = results.find((r) => r.baseline);
  const rows = results.map((r) => {
    const perSec = (N * 1e9) / r.ns;
    return [r.name, fmt.ns(r.ns / N), fmt.int(perSec), r.lost, fmt.ratio(pino.ns / r.ns)];
  });
  printTable(`Logger → file, N=${N.toLocaleString('en-US')} records, median of ${RUNS} runs (time includes the final flush)`,
    ['contender', 'ns/op', 'records/s', 'records lost', 'ratio to pino'], rows);
  return results;
}
