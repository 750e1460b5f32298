import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { configureLogger, registerBackend, type Backend, type BackendHealth, type Batch, type Logger } from '../src/node/index.js';
import { waitDrained } from './helpers/outage-load.js';

/**
 * What a user sees when a backend's configuration is wrong (against the real servers): start-up fails with
 * the backend and the field named, except for a server that is merely unreachable, which the README
 * documents as "not a configuration error: the logger starts, and records wait on disk until it answers".
 */
const RUN = randomBytes(4).toString('hex');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const FAST = { max_retries: 1, retry_delay: 0.05, circuit_breaker_threshold: 2, circuit_breaker_timeout: 0.5, health_check_interval: 0.2 };
const admin = new pg.Pool({ ...PG, max: 2 });
const dirs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const f of cleanups.reverse()) await f();
  await admin.end();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function config(backend: { backend_type: string; config: Record<string, unknown> }) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'isotel-config-errors-'));
  dirs.push(dataDir);
  return { logger: { service_name: 'config-errors-test', enable_console: false, data_dir: dataDir, backends: [backend] } };
}

/** configureLogger with the diag channel's warnings collected. */
async function open(cfg: unknown, warnings: string[] = []): Promise<Logger> {
  return configureLogger({ config: cfg, exitHooks: false, registerGlobal: false, diagSink: (level, message) => level !== 'debug' && warnings.push(message) });
}

async function startupError(cfg: unknown): Promise<string> {
  const logger = await open(cfg).catch((err: unknown) => err);
  if (!(logger instanceof Error)) {
    await (logger as Logger).close();
    throw new Error('configureLogger started although the configuration is wrong');
  }
  return logger.message;
}

/** Logs `n` records while the backend is unreachable: they end up on disk; the health it then reports. */
async function healthWhileUnreachable(logger: Logger, n: number): Promise<BackendHealth> {
  try {
    for (let i = 0; i < n; i++) logger.info('waits for the server', { seq: i });
    await logger.flush();
    return logger.health().backends[0];
  } finally {
    await logger.close();
  }
}

describe('postgres backend: wrong configuration', () => {
  it('starts when host/port is unreachable, says which host and port, and keeps records on disk', async () => {
    const warnings: string[] = [];
    const logger = await open(config({ backend_type: 'postgres', config: { ...PG, port: 1, ...FAST } }), warnings);
    const h = await healthWhileUnreachable(logger, 10);
    expect(warnings.join('\n')).toMatch(/logger\.backends\[0\] \(postgres\): postgres backend: cannot connect to 127\.0\.0\.1:1: connection refused \(check config\.host\/port/);
    expect(h).toMatchObject({ waiting_on_disk: 10, delivered: 0 });
    expect(['retrying', 'circuit_open']).toContain(h.state);
    expect(h.last_error).toContain('127.0.0.1:1');
  });

  it('fails start-up on a database that does not exist, naming config.database', async () => {
    const message = await startupError(config({ backend_type: 'postgres', config: { ...PG, database: `isotel_missing_${RUN}` } }));
    expect(message).toContain('logger.backends[0] (postgres)');
    expect(message).toContain(`database "isotel_missing_${RUN}" does not exist on 127.0.0.1:5432 (check config.database)`);
  });

  it('fails start-up for a role without INSERT on the tables, naming the user and the privilege', async () => {
    const schema = `isotel_cfg_${RUN}`;
    const role = `isotel_noinsert_${RUN}`;
    cleanups.push(() => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    // The tables exist (created by a logger running as postgres); the role may read but not insert.
    await (await open(config({ backend_type: 'postgres', config: { ...PG, schema } }))).close();
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    cleanups.push(async () => {
      await admin.query(`DROP OWNED BY "${role}"`);
      await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    });
    await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"; GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`);

    const message = await startupError(config({ backend_type: 'postgres', config: { ...PG, user: role, schema } }));
    expect(message).toContain('logger.backends[0] (postgres)');
    expect(message).toContain(`permission denied for user "${role}": missing INSERT on table ${schema}.otel_logs`);
    expect(message).toContain('check config.user');
  });
});

describe('elasticsearch backend: wrong configuration', () => {
  it('starts when the host is unreachable, names the host and config.hosts, and keeps records on disk', async () => {
    const warnings: string[] = [];
    const logger = await open(config({ backend_type: 'elasticsearch', config: { hosts: ['http://127.0.0.1:1'], template_name: `isotel-cfg-${RUN}`, ...FAST } }), warnings);
    const h = await healthWhileUnreachable(logger, 10);
    expect(warnings.join('\n')).toContain('elasticsearch backend: cannot reach http://127.0.0.1:1 (check logger.backends[i].config.hosts)');
    expect(h).toMatchObject({ waiting_on_disk: 10, delivered: 0 });
    expect(['retrying', 'circuit_open']).toContain(h.state);
    expect(h.last_error).toContain('http://127.0.0.1:1');
  });

  it('fails start-up when the host answers but is not Elasticsearch', async () => {
    const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const message = await startupError(config({ backend_type: 'elasticsearch', config: { hosts: [url] } }));
      expect(message).toContain('logger.backends[0] (elasticsearch)');
      expect(message).toContain(`${url} is not Elasticsearch (check logger.backends[i].config.hosts)`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails start-up on a host that is not an http(s) URL, naming the field', async () => {
    const message = await startupError(config({ backend_type: 'elasticsearch', config: { hosts: ['127.0.0.1:9200'] } }));
    expect(message).toContain('logger.backends[0].config.hosts[0]');
  });
});

describe('backend_type', () => {
  it('fails start-up on an unknown backend_type, listing the known ones', async () => {
    const message = await startupError(config({ backend_type: 'elasticserch', config: {} }));
    expect(message).toContain('logger.backends[0].backend_type');
    expect(message).toContain('unknown backend type "elasticserch" (known: filesystem, elasticsearch, postgres');
  });

  it('gives a registered custom backend retry, circuit breaker and disk fallback: fails 12 times, then every record arrives once', async () => {
    const type = `flaky-${RUN}`;
    const accepted = new Map<number, number>();
    let calls = 0;
    const failFirst = 12;
    registerBackend(type, (cfg): Backend => ({
      name: `flaky (${String(cfg.label)})`,
      async write(batch: Batch) {
        if (++calls <= failFirst) return { status: 'retryable', delayMs: 10, reason: `flaky: failure ${calls} of ${failFirst}` };
        for (const r of batch.logs) accepted.set(Number(r.attributes.seq), (accepted.get(Number(r.attributes.seq)) ?? 0) + 1);
        return { status: 'success' };
      },
      flush: async () => {},
      close: async () => {},
    }));
    const N = 5_000;
    const logger = await open(config({ backend_type: type, config: { label: 'test', ...FAST } }));
    const seen = new Set<string>();
    let spooled = 0;
    const sampler = setInterval(() => {
      const h = logger.health().backends[0];
      seen.add(h.state);
      spooled = Math.max(spooled, h.waiting_on_disk);
    }, 10);
    try {
      for (let i = 0; i < N; i++) logger.info('custom backend record', { seq: i });
      await logger.flush();
      await waitDrained(logger, N, 30_000);
    } finally {
      clearInterval(sampler);
      await logger.close();
    }
    expect(calls).toBeGreaterThan(failFirst);
    expect(seen.has('circuit_open')).toBe(true);
    expect(spooled).toBeGreaterThan(0);
    expect(accepted.size).toBe(N);
    expect([...accepted.values()].every((times) => times === 1)).toBe(true);
    expect(logger.health().backends[0]).toMatchObject({ delivered: N, dropped: 0, dead_lettered: 0 });
  });
});
