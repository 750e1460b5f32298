// The figures in src/node/metrics/attribute-hash.ts and exemplars.ts: what the memoized attribute-set hash costs
// where it cannot win (a new set on every call), what its trie holds when full, and the exemplar store's offer()
// inside a sampled span. Run: node --expose-gc --import tsx bench/metrics/attribute-hash.mts
import { trace, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { memoizedHash, MAX_NODES } from '../../src/node/metrics/attribute-hash.js';
import { ExemplarStore } from '../../src/node/metrics/exemplars.js';

const N = 1_000_000;
const sortedPairsJson = (a: Record<string, unknown>) => {
  const keys = Object.keys(a).sort();
  return keys.length === 0 ? '' : JSON.stringify(keys.map((k) => [k, a[k]]));
};
const nsPerCall = (fn: (i: number) => unknown) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / N;
};

// 1. Unique sets (a user id among the attributes): the memo bypasses its trie once it sees they never repeat.
const memo = memoizedHash(sortedPairsJson);
for (let round = 0; round < 2; round++) {
  const unique = (i: number) => ({ 'user.id': `u${round}-${i}`, 'http.route': '/api', status: 200 });
  console.log(`unique sets, ns per hash: sdk-metrics' own ${nsPerCall((i) => sortedPairsJson(unique(i))).toFixed(0)}, memoized ${nsPerCall((i) => memo(unique(i))).toFixed(0)}`);
}

// 2. The trie at capacity: sets of 3 attributes, each seen twice, until MAX_NODES nodes.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const full = memoizedHash(sortedPairsJson);
  let sets = 0;
  while (full.nodes < MAX_NODES - 3) {
    const s = { a: `v${sets % 97}`, b: `w${Math.floor(sets / 97) % 97}`, c: sets };
    full(s);
    full({ ...s });
    sets++;
  }
  gc();
  console.log(`trie at ${full.nodes} nodes (${sets} sets of 3 attributes): ${((process.memoryUsage().heapUsed - before) / 1e6).toFixed(1)} MB of heap, the hash strings included`);
} else console.log('(run with --expose-gc for the trie memory figure)');

// 3. The exemplar store's offer() inside a sampled span, 5 attributes in a new object each call.
const store = new ExemplarStore(10_000);
const ctx = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED }));
const id = store.instrument('@opentelemetry/instrumentation-http', '0.223.0', 'http.server.request.duration');
for (let round = 0; round < 3; round++) {
  const ns = nsPerCall((i) => store.offer(id, { 'http.request.method': 'GET', 'url.scheme': 'http', 'http.route': '/', 'http.response.status_code': 200, 'network.protocol.version': '1.1' }, i % 100, ctx));
  console.log(`exemplar offer() in a sampled span, 5 attributes, new object per call: ${ns.toFixed(0)} ns`);
}
