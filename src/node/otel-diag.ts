import { diag as apiDiag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { defaultDiagSink, type DiagLevel, type DiagSink } from '../shared/diag.js';
import type { OtelLogLevel } from './otel-env.js';

/**
 * OTEL_LOG_LEVEL: how much of the SDK's own trouble is printed. It filters isotel's default diag sink
 * (stderr) and, when isotel registers globals, sets the level of the OpenTelemetry API's diag logger, whose
 * messages (from sdk-trace-base, instrumentations, propagators) then go to the same sink. A `diagSink`
 * given in code receives all of isotel's messages (code wins over the environment) and the API's at that level.
 */
const RANK: Record<DiagLevel, number> = { error: 1, warn: 2, info: 3, debug: 4 };
const THRESHOLD: Record<OtelLogLevel, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 4, all: 4 };

/** isotel's default sink, filtered by OTEL_LOG_LEVEL (unset: as before, debug only with ISOTEL_DEBUG). */
export function diagSinkFor(level: OtelLogLevel | undefined): DiagSink {
  if (level === undefined) return defaultDiagSink();
  const threshold = THRESHOLD[level];
  const sink = defaultDiagSink(threshold >= RANK.debug || undefined);
  return (l, message, detail) => {
    if (RANK[l] <= threshold) sink(l, message, detail);
  };
}

const API_LEVEL: Record<OtelLogLevel, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/** Registers the OTel API's diag logger at `level`, writing to `sink`; returns the function that removes it. */
export function attachApiDiag(sink: DiagSink, level: OtelLogLevel): () => void {
  const forward = (l: DiagLevel) => (message: string, ...args: unknown[]) => {
    try {
      sink(l, `[otel] ${message}`, args.length === 0 ? undefined : args.length === 1 ? args[0] : args);
    } catch {
      /* a throwing sink must not reach the OpenTelemetry internals that called it */
    }
  };
  const logger: DiagLogger = { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug'), verbose: forward('debug') };
  try {
    apiDiag.setLogger(logger, { logLevel: API_LEVEL[level], suppressOverrideMessage: true });
  } catch {
    return () => {};
  }
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    apiDiag.disable();
  };
}
