import * as path from 'node:path';
import type { Diag } from '../shared/diag.js';
import type { Backend } from './backends/types.js';
import type { TraceSearch } from './backends/trace-search.js';
import type { BackendRegistry } from './registry.js';
import { untraced, untracedBackend } from './untraced.js';
import { withSignalCheck } from './backends/signals.js';

/** One configured backend, opened: its unique name (for cursors, data dirs, health), type, settings. */
export interface OpenedBackend {
  name: string;
  type: string;
  backend: Backend;
  config: Record<string, unknown>;
  dataDir: string;
  retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number };
  breaker: { threshold: number; timeoutMs: number; healthCheckIntervalMs: number };
}

export interface BackendEntry {
  backend_type: string;
  name?: string;
  config: unknown;
}

/**
 * Opens the `backends:` list of the configuration with the registry's factories. A factory's error names the
 * entry (`logger.backends[1] (postgres): ...`); when one fails, those already opened are closed again.
 * Used by both the logger and the ingest, so the two read the YAML the same way. Untraced: opening a backend
 * (a pool, a template, CREATE TABLE) and every later call of it are isotel's I/O, not the app's (untraced.ts).
 */
export async function openBackends(entries: readonly BackendEntry[], dataRoot: string, registry: BackendRegistry, diag: Diag): Promise<OpenedBackend[]> {
  const opened: OpenedBackend[] = [];
  const used = new Set<string>();
  try {
    for (const [i, b] of entries.entries()) {
      const factory = registry.get(b.backend_type);
      if (!factory) throw new Error(`logger.backends[${i}].backend_type: unknown backend type "${b.backend_type}" (known: ${[...registry.types()].join(', ')})`);
      let name = (b.name ?? b.backend_type).replace(/[^A-Za-z0-9_.-]/g, '_');
      if (used.has(name)) name = `${name}-${i}`;
      used.add(name);
      const dataDir = path.resolve(dataRoot, 'backends', name);
      const config = (b.config ?? {}) as Record<string, unknown>;
      let backend: Backend;
      const open = async () => withSignalCheck(untracedBackend(await untraced(() => factory(config, { dataDir, diag }))));
      try {
        backend = await open();
      } catch (err) {
        const message = `logger.backends[${i}] (${b.backend_type}): ${err instanceof Error ? err.message : String(err)}`;
        // A server that is merely down now (connection refused, timeout) is not a configuration error: start
        // anyway and let the delivery layer keep records on disk until it answers. Anything else fails fast.
        if (!(err instanceof Error && (err as Error & { retryable?: boolean }).retryable === true)) throw new Error(message);
        diag.warn(`${message}; starting without it, records wait on disk until it answers`);
        backend = lazyBackend(b.backend_type, open, diag);
      }
      opened.push({
        name,
        type: b.backend_type,
        backend,
        config,
        dataDir,
        retry: { maxRetries: num(config.max_retries, 3), baseDelayMs: num(config.retry_delay, 1) * 1000, maxDelayMs: 30_000 },
        breaker: {
          threshold: num(config.circuit_breaker_threshold, 5),
          timeoutMs: num(config.circuit_breaker_timeout, 60) * 1000,
          healthCheckIntervalMs: num(config.health_check_interval, 30) * 1000,
        },
      });
    }
  } catch (err) {
    await Promise.all(opened.map((o) => o.backend.close().catch(() => undefined)));
    throw err;
  }
  return opened;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** A backend opened on first use: until its factory succeeds, writes answer retryable (so records wait). */
export function lazyBackend(name: string, open: () => Promise<Backend>, diag: Diag, retryEveryMs = 1000): Backend {
  let inner: Backend | undefined;
  let opening: Promise<Backend | undefined> | undefined;
  let lastTry = 0;
  let lastError = 'not opened yet';
  let closed = false;
  const get = async (): Promise<Backend | undefined> => {
    if (inner || closed) return inner;
    if (!opening && Date.now() - lastTry >= retryEveryMs) {
      lastTry = Date.now();
      opening = open().then(
        (b) => {
          inner = b;
          diag.warn(`${name} backend is reachable again and opened`);
          return b;
        },
        (err: unknown) => {
          lastError = err instanceof Error ? err.message : String(err);
          return undefined;
        },
      ).finally(() => {
        opening = undefined;
      });
    }
    return opening ? opening : inner;
  };
  return {
    name,
    async write(batch) {
      const b = await get();
      return b ? b.write(batch) : { status: 'retryable', delayMs: retryEveryMs, reason: `${name} backend not available: ${lastError}` };
    },
    async flush() {
      await inner?.flush();
    },
    async close() {
      closed = true;
      await inner?.close();
    },
    async ping() {
      const b = await get();
      return b ? (b.ping ? b.ping() : true) : false;
    },
    async getTrace(traceId) {
      const b = await get();
      if (!b?.getTrace) throw new Error(`${name} backend not available: ${lastError}`);
      return b.getTrace(traceId);
    },
    async listTraces(limit) {
      const b = await get();
      if (!b?.listTraces) throw new Error(`${name} backend not available: ${lastError}`);
      return b.listTraces(limit);
    },
    search: lazySearch(async () => {
      const b = await get();
      if (!b?.search) throw new Error(`${name} backend not available: ${lastError}`);
      return b.search;
    }),
  };
}

/** The trace search of a backend that may not be open yet. */
function lazySearch(get: () => Promise<TraceSearch>): TraceSearch {
  return {
    services: async () => (await get()).services(),
    operations: async (service, kind) => (await get()).operations(service, kind),
    findTraces: async (filter) => (await get()).findTraces(filter),
    findLogs: async (filter) => (await get()).findLogs(filter),
    findMetrics: async (filter) => (await get()).findMetrics(filter),
  };
}
