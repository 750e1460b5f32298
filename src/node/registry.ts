import type { BackendFactory } from './backends/types.js';
import { createFilesystemBackend, type FilesystemBackendOptions } from './backends/filesystem/backend.js';

/**
 * The `backend_type` → factory table. Built-ins are always there; a user's own type is registered with
 * `registerBackend('nats', factory)` before `configureLogger`, and gets retry, circuit breaker, disk
 * fallback and health reporting from the delivery layer like the built-ins.
 * The table is passed explicitly (createBackendRegistry) so tests and two loggers never share state;
 * `registerBackend` writes to the default registry that configureLogger uses when given none.
 */
export interface BackendRegistry {
  register(type: string, factory: BackendFactory): void;
  get(type: string): BackendFactory | undefined;
  types(): ReadonlySet<string>;
}

const builtins = new WeakSet<BackendFactory>();

/**
 * True for the factories every registry starts with: a backend of these can be opened from its configuration
 * alone in another thread (the ingest's dispatch worker); a user's factory lives in this thread only.
 */
export function isBuiltinBackend(factory: BackendFactory | undefined): boolean {
  return factory !== undefined && builtins.has(factory);
}

export function createBackendRegistry(): BackendRegistry {
  const factories = new Map<string, BackendFactory>();
  const builtin = (type: string, f: BackendFactory) => {
    builtins.add(f);
    factories.set(type, f);
  };
  builtin('filesystem', (config, ctx) => createFilesystemBackend(config as unknown as FilesystemBackendOptions, ctx));
  builtin('elasticsearch', async (config, ctx) => {
    const m = await import('./backends/elasticsearch/index.js');
    return m.createElasticsearchBackend(config as never, ctx);
  });
  builtin('postgres', async (config, ctx) => {
    const m = await import('./backends/postgres/index.js');
    return m.createPostgresBackend(config as never, ctx);
  });
  builtin('otlp', async (config, ctx) => {
    const m = await import('./backends/otlp/index.js');
    return m.createOtlpBackend(config as never, ctx);
  });
  builtin('kafka', async (config, ctx) => {
    const m = await import('./backends/kafka/index.js');
    return m.createKafkaBackend(config as never, ctx);
  });
  builtin('prometheus', async (config, ctx) => {
    const m = await import('./backends/prometheus/index.js');
    return m.createPrometheusBackend(config as never, ctx);
  });
  return {
    register(type, factory) {
      if (!/^[a-z][a-z0-9_-]*$/.test(type)) throw new Error(`registerBackend: invalid backend_type "${type}" (lowercase letters, digits, _ and -)`);
      factories.set(type, factory);
    },
    get: (type) => factories.get(type),
    types: () => new Set(factories.keys()),
  };
}

export const defaultRegistry: BackendRegistry = createBackendRegistry();

/** Registers a custom `backend_type` in the default registry. */
export function registerBackend(type: string, factory: BackendFactory): void {
  defaultRegistry.register(type, factory);
}
