// Span start+end: median ns per `tracer.startSpan(name, {attributes}).end()` (spans-shape.mjs), each contender
// in a fresh process with a recording, sampling sampler (the SDK default, parent-based always-on).
import { runScenario, tempDir, removeDir } from '../lib.mjs';

export const SPAN_CONTENDERS = [
  { key: 'isotel', name: 'isotel (configureLogger tracer → record buffer → JSONL)', script: 'bench/tracing/spans-isotel.mjs', dir: true },
  { key: 'noop', name: 'sdk-trace-base, no-op SpanProcessor', script: 'bench/tracing/spans-sdk.mjs', args: ['noop'], baseline: true },
  { key: 'batch', name: 'sdk-trace-base, BatchSpanProcessor + no-op exporter', script: 'bench/tracing/spans-sdk.mjs', args: ['batch'] },
];

/** One run of every contender; throws when one did not record every span (the figure would be a lie). */
export function runSpans(n) {
  const out = {};
  for (const c of SPAN_CONTENDERS) {
    const dir = c.dir ? tempDir('isotel-bench-spans-') : undefined;
    try {
      const r = runScenario(c.script, dir ? [dir] : c.args, { BENCH_SPANS_N: String(n) });
      if (r.spans !== n) throw new Error(`${c.name}: recorded ${r.spans} of ${n} spans`);
      out[c.key] = r;
    } finally {
      if (dir) removeDir(dir);
    }
  }
  return out;
}
