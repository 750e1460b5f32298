import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { FastifyInstrumentation } from '@opentelemetry/instrumentation-fastify';
import type { Diag } from '../shared/diag.js';
import { isIncomingIgnored } from './incoming-ignores.js';
import type { InstrumentationName } from './config/index.js';

/**
 * The official OpenTelemetry instrumentations isotel enables (`logger.tracing.instrumentations`). Each patches
 * its library when the library is loaded (require-in-the-middle; import-in-the-middle for ES modules, whose
 * loader hook `isotel/node/auto` registers), so they must be enabled before the app loads it: configureLogger
 * does this synchronously, before its first await.
 *
 * Semantic conventions: these versions emit only the stable HTTP (`http.request.method`, `url.full`,
 * `server.address`, `http.response.status_code`) and database (`db.system.name`, `db.query.text`,
 * `db.operation.name`, `db.namespace`) attributes; there is no OTEL_SEMCONV_STABILITY_OPT_IN choice left.
 */
export interface EnabledInstrumentations {
  readonly names: readonly InstrumentationName[];
  /** Unpatches every library; idempotent. */
  disable(): void;
}

type Factory = (o: { ignoreIncomingPaths: readonly string[]; ignoreIncomingPorts: readonly number[] }) => Instrumentation;

const FACTORIES: Record<InstrumentationName, Factory> = {
  // The server span of a request is the http instrumentation's; isotel's middleware adds to it (middleware/).
  http: (o) => {
    const ignored = pathMatcher(o.ignoreIncomingPaths);
    const ports = new Set(o.ignoreIncomingPorts);
    return new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => {
        const path = (req.url ?? '/').split('?')[0];
        return ignored(path) || isIncomingIgnored(path) || (ports.size > 0 && ports.has(req.socket?.localPort ?? -1));
      },
    });
  },
  undici: () => new UndiciInstrumentation(),
  // requireParentSpan: a query outside any trace (a pool's connect, a migration at start-up) is not a root span.
  pg: () => new PgInstrumentation({ requireParentSpan: true }),
  ioredis: () => new IORedisInstrumentation({ requireParentSpan: true }),
  express: () => new ExpressInstrumentation(),
  fastify: () => new FastifyInstrumentation(),
};

/**
 * Patching is process-wide: a second logger enabling the same instrumentations would patch the libraries
 * twice and record every span twice. The first logger owns them until it closes; a later one records
 * through the global API like any other library (and says so on the diag channel).
 */
let owner: symbol | undefined;

/** Exact paths, and prefixes written with a trailing `*`. */
export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p));
}

export function enableInstrumentations(opts: {
  names: readonly InstrumentationName[];
  ignoreIncomingPaths?: readonly string[];
  /** Local ports whose incoming requests get no span and no metric (isotel's own metrics port: every scrape would count). */
  ignoreIncomingPorts?: readonly number[];
  tracerProvider: TracerProvider;
  /** Where their metrics go (undefined: the API's global at the time each was created, a no-op unless the app registered one). */
  meterProvider?: MeterProvider;
  diag: Diag;
}): EnabledInstrumentations {
  const none: EnabledInstrumentations = { names: [], disable: () => {} };
  if (opts.names.length === 0) return none;
  if (owner !== undefined) {
    opts.diag.warn('the OpenTelemetry instrumentations are already enabled by another isotel logger in this process; this one does not enable them again');
    return none;
  }
  const names: InstrumentationName[] = [];
  const instances: Instrumentation[] = [];
  for (const name of new Set(opts.names)) {
    try {
      instances.push(FACTORIES[name]({ ignoreIncomingPaths: opts.ignoreIncomingPaths ?? [], ignoreIncomingPorts: opts.ignoreIncomingPorts ?? [] }));
      names.push(name);
    } catch (err) {
      opts.diag.count('instrumentations.failed');
      opts.diag.error(`the ${name} instrumentation could not be created; that library is not traced`, err);
    }
  }
  let unregister: () => void;
  try {
    unregister = registerInstrumentations({ instrumentations: instances, tracerProvider: opts.tracerProvider, meterProvider: opts.meterProvider });
  } catch (err) {
    opts.diag.error('the OpenTelemetry instrumentations could not be enabled; libraries are not traced', err);
    return none;
  }
  const token = Symbol('isotel instrumentations');
  owner = token;
  let disabled = false;
  return {
    names,
    disable() {
      if (disabled) return;
      disabled = true;
      if (owner === token) owner = undefined;
      try {
        unregister();
      } catch (err) {
        opts.diag.error('disabling the OpenTelemetry instrumentations failed', err);
      }
    },
  };
}
