// The demo's shop data: a product table and a stock table in PostgreSQL (the `test` database by default), and a
// Redis cache of stock counts. Both are optional: without them the demo still runs (on the embedded default),
// the checkout answers from built-in figures and says so.
export const PRODUCTS = [
  ['tea', 'Green tea', 4.5, 120],
  ['mug', 'Stoneware mug', 12, 35],
  ['kettle', 'Kettle', 39.9, 8],
];

export function pgSettings(env = process.env) {
  return { host: env.PGHOST ?? '127.0.0.1', port: Number(env.PGPORT ?? 5432), database: env.PGDATABASE ?? 'test', user: env.PGUSER ?? 'postgres', password: env.PGPASSWORD };
}

/** A pg Pool with the two tables, or undefined (and why) when PostgreSQL is not reachable. */
export async function openShopDatabase(pgLib, settings, role) {
  const pool = new pgLib.Pool({ ...settings, max: 4, connectionTimeoutMillis: 2000 });
  pool.on('error', () => {});
  try {
    if (role === 'api') {
      await pool.query('CREATE TABLE IF NOT EXISTS isotel_demo_products (sku text PRIMARY KEY, name text NOT NULL, price numeric NOT NULL)');
      await pool.query('CREATE TABLE IF NOT EXISTS isotel_demo_stock (sku text PRIMARY KEY, quantity int NOT NULL)');
      for (const [sku, name, price, qty] of PRODUCTS) {
        await pool.query('INSERT INTO isotel_demo_products VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [sku, name, price]);
        await pool.query('INSERT INTO isotel_demo_stock VALUES ($1, $2) ON CONFLICT DO NOTHING', [sku, qty]);
      }
    } else {
      await pool.query('SELECT 1');
    }
    return { pool };
  } catch (err) {
    await pool.end().catch(() => {});
    return { why: `PostgreSQL not reachable at ${settings.host}:${settings.port}/${settings.database} (${err.message})` };
  }
}

/** An ioredis client, or undefined (and why) when Redis does not answer. */
export async function openCache(Redis, url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return { redis };
  } catch (err) {
    redis.disconnect();
    return { why: `Redis not reachable at ${url} (${err.message})` };
  }
}
