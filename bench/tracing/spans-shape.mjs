// The span of the start+end micro-benchmark, shared by every contender: a name and three attributes at start,
// as a typical internal span has. Timing: CHUNKS chunks of CHUNK spans, one event-loop turn between chunks (so
// each SDK's background delivery runs as it would in a service); ns/op per chunk, the median over chunks.
export const N = Number(process.env.BENCH_SPANS_N ?? 200_000);
export const CHUNK = 1000;
export const NAME = 'price.compute';
export const ATTRS = { 'app.item.count': 3, 'app.currency': 'EUR', 'app.cached': false };

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Runs `tracer.startSpan(NAME, {attributes}).end()` N times; returns the per-chunk medians and the total time. */
export async function measure(tracer, flush) {
  const perOp = [];
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < N; done += CHUNK) {
    const c0 = process.hrtime.bigint();
    for (let i = 0; i < CHUNK; i++) tracer.startSpan(NAME, { attributes: ATTRS }).end();
    perOp.push(Number(process.hrtime.bigint() - c0) / CHUNK);
    await turn();
  }
  await flush();
  const total = Number(process.hrtime.bigint() - t0);
  perOp.sort((a, b) => a - b);
  return { medianNs: perOp[Math.floor(perOp.length / 2)], sustainedNs: total / N };
}

/** Spans ended as a service ends them, PER_TURN per event-loop turn: CPU ns per span (every thread), flush included. */
export const PER_TURN = 4;
export const TURN_N = Math.max(PER_TURN, Math.floor(N / 5));

export async function measurePerTurn(tracer, flush) {
  const c0 = process.cpuUsage();
  for (let done = 0; done < TURN_N; done += PER_TURN) {
    for (let i = 0; i < PER_TURN; i++) tracer.startSpan(NAME, { attributes: ATTRS }).end();
    await turn();
  }
  await flush();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / TURN_N;
}
