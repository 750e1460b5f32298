import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { configureLogger } from '../configure.js';
import type { Logger } from '../logger.js';

export interface AutoOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where a start-up failure is reported (default stderr): the app runs on without telemetry. */
  report?: (message: string) => void;
}

/** `ISOTEL_CONFIG`, else `./isotel.yaml` when present, else none (defaults, OTEL_* variables). */
export function autoConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.ISOTEL_CONFIG) return resolve(cwd, env.ISOTEL_CONFIG);
  const local = resolve(cwd, 'isotel.yaml');
  return existsSync(local) ? local : undefined;
}

/** Whether the zero-code start does anything in this thread: not in worker threads, not with OTEL_SDK_DISABLED. */
export function autoEnabled(env: NodeJS.ProcessEnv, mainThread = isMainThread): boolean {
  // --import/--require also run in every worker thread (execArgv is inherited): one logger per process.
  return mainThread && env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true';
}

/**
 * The zero-code start shared by the ESM (`--import`) and CJS (`--require`) entries: configureLogger reads the
 * file (and OTEL_* variables) and enables the instrumentations synchronously, before this returns, so the
 * app's modules load patched; the backends open in the background (spans ended meanwhile wait). The logger
 * closes (flushes, closes backends) when the event loop empties; SIGTERM/SIGINT flush through its exit hooks.
 * A configuration error is reported and the app runs untraced: it never stops the app.
 */
export function startAuto(opts: AutoOptions = {}): Promise<Logger | undefined> {
  const env = opts.env ?? process.env;
  const report = opts.report ?? ((m: string) => process.stderr.write(`[isotel] ${m}\n`));
  if (!autoEnabled(env)) return Promise.resolve(undefined);
  let started: Promise<Logger>;
  try {
    started = configureLogger({ configFile: autoConfigFile(env, opts.cwd ?? process.cwd()), env });
  } catch (err) {
    started = Promise.reject(err);
  }
  return started.then(
    (logger) => {
      process.once('beforeExit', () => void logger.close());
      return logger;
    },
    (err: unknown) => {
      report(`isotel/node/auto: not started, the app runs without telemetry: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    },
  );
}
