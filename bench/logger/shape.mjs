// The one record shape every contender writes: a message and four attributes, as a web service would log.
export const MESSAGE = 'request handled';
export const attrs = (i) => ({ user_id: 'user123', route: '/api/price', status: 200, duration_ms: i % 1000 });
export const N = Number(process.env.BENCH_N ?? 200_000);
