/**
 * `node --require isotel/node/auto app.cjs`: the zero-code start for CommonJS apps. configureLogger enables the
 * instrumentations synchronously (require-in-the-middle), before the app's first `require`; the backends open
 * in the background. No ES-module hook: a CommonJS app's modules are loaded by `require`.
 */
import { startAuto } from './auto/start.js';

void startAuto();
