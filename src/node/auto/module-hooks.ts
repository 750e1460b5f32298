import { createRequire, register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface HookChannel {
  registerOptions: { data?: unknown; transferList?: unknown[] };
  waitForAllMessagesAcknowledged(): Promise<void>;
}

/**
 * Registers import-in-the-middle's loader hook, so the instrumentations patch ES modules too (`import http
 * from 'node:http'`, `import express from 'express'`): what the official register needs an extra
 * `--experimental-loader` for. The hook intercepts only the modules the instrumentations name (the message
 * channel carries each name to the loader thread); the returned promise resolves once the loader has them all,
 * and the ESM entry awaits it before the app's first import.
 *
 * import-in-the-middle is resolved from @opentelemetry/instrumentation's own location: the loader and the
 * instrumentations must share one copy, whatever the app's node_modules layout.
 */
export function registerModuleHooks(base: string | URL): () => Promise<void> {
  const fromInstrumentation = createRequire(createRequire(base).resolve('@opentelemetry/instrumentation'));
  const iitm = fromInstrumentation('import-in-the-middle') as { createAddHookMessageChannel(): HookChannel };
  const hookPath = join(dirname(fromInstrumentation.resolve('import-in-the-middle/package.json')), 'hook.mjs');
  const { registerOptions, waitForAllMessagesAcknowledged } = iitm.createAddHookMessageChannel();
  register(pathToFileURL(hookPath).href, registerOptions as Parameters<typeof register>[1]);
  return waitForAllMessagesAcknowledged;
}

// On globalThis: the hook is process-wide, and isotel/node and isotel/node/auto are separate bundles (each its
// own copy of this module) that must not register it twice.
const REGISTERED = Symbol.for('isotel.moduleHooks');

/**
 * The hook, once per process (isotel/node/auto registers it first when it is used): configureLogger calls this
 * before it enables the instrumentations, so ES modules the app imports afterwards (a dynamic `import()`, or
 * everything when the app's entry imports it after configuring) are patched too. Resolves when the loader
 * knows every module name; never rejects (a failure means ES modules are not instrumented, reported once).
 */
export function ensureModuleHooks(base: string | URL, report: (err: unknown) => void): Promise<void> {
  const g = globalThis as unknown as Record<symbol, Promise<void> | undefined>;
  if (!isMainThread) return Promise.resolve();
  let done = g[REGISTERED];
  if (done) return done;
  try {
    const acknowledged = registerModuleHooks(base);
    // The loader learns the names as the instrumentations are enabled, just after this: wait a turn.
    done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => acknowledged()).catch(report);
  } catch (err) {
    report(err);
    done = Promise.resolve();
  }
  g[REGISTERED] = done;
  return done;
}
