/**
 * `node --import isotel/node/auto app.mjs`: the zero-code start for ES-module (and CommonJS) apps. Registers
 * the ES-module loader hook, configures isotel from OTEL_* variables and isotel.yaml (ISOTEL_CONFIG), enables
 * the instrumentations, and waits (top-level await) until the loader knows which modules to patch, so the
 * app's first import is already instrumented. Never throws: a failure is reported and the app runs untraced.
 */
import { ensureModuleHooks } from './auto/module-hooks.js';
import { autoEnabled, startAuto } from './auto/start.js';

if (autoEnabled(process.env)) {
  const acknowledged = ensureModuleHooks(import.meta.url, (err) =>
    process.stderr.write(`[isotel] isotel/node/auto: ES-module hooks not registered (ES modules are not instrumented): ${String(err)}\n`),
  );
  void startAuto();
  await acknowledged;
}
