import { createRequire, register } from 'node:module';
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
