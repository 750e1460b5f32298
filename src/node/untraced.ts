import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Backend } from './backends/types.js';
import { isFilesystemBackend } from './backends/filesystem/backend.js';

/**
 * isotel's own I/O is never traced: with the http, undici and pg instrumentations active, every backend write
 * (a COPY, a _bulk request, an OTLP POST) would otherwise become spans that are written by the next write,
 * and so on. The OpenTelemetry convention for this is the suppress-tracing context key, which every official
 * instrumentation honours.
 */
export function untraced<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}

/**
 * The backend with each of its calls made under suppressed tracing (its optional methods only when it has them).
 * A filesystem backend stays itself: its I/O is local files (no instrumentation records it), and the logger
 * hands it to its file channel by class (isFilesystemBackend).
 */
export function untracedBackend(b: Backend): Backend {
  if (isFilesystemBackend(b)) return b;
  const out: Backend = {
    name: b.name,
    write: (batch) => untraced(() => b.write(batch)),
    flush: () => untraced(() => b.flush()),
    close: () => untraced(() => b.close()),
  };
  if (b.maxInFlight !== undefined) Object.assign(out, { maxInFlight: b.maxInFlight });
  if (b.signals !== undefined) Object.assign(out, { signals: b.signals });
  const { ping, getTrace, listTraces, search } = b;
  if (ping) out.ping = () => untraced(() => ping.call(b));
  if (getTrace) out.getTrace = (id) => untraced(() => getTrace.call(b, id));
  if (listTraces) out.listTraces = (limit) => untraced(() => listTraces.call(b, limit));
  if (search) {
    out.search = {
      services: () => untraced(() => search.services()),
      operations: (service, kind) => untraced(() => search.operations(service, kind)),
      findTraces: (filter) => untraced(() => search.findTraces(filter)),
      findLogs: (filter) => untraced(() => search.findLogs(filter)),
      findMetrics: (filter) => untraced(() => search.findMetrics(filter)),
    };
  }
  return out;
}
