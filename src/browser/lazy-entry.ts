/**
 * The lazy module entries (`isotel/browser/lazy`, `isotel/browser/lite/lazy`): the script-tag loader's way for
 * bundled apps. `init` returns at once a telemetry that keeps the page's calls and errors (loader.ts); after the
 * page's load event the SDK, which the app's bundler puts in a chunk of its own through the entry's dynamic
 * import, is fetched, evaluated and started in tasks of their own, and replays what waited with its times.
 */
import { createLoader, noopSpan, type LoaderApi, type LoaderWindow, type RealInit } from './loader.js';
import { noopTelemetry } from './noop.js';
import type { BrowserOptions, BrowserTelemetry } from './types.js';

export type LazyInit = (options: BrowserOptions) => BrowserTelemetry;

/** An `init` that loads the SDK with `importSdk` after the page has loaded; one telemetry per page. */
export function lazyEntry(importSdk: () => Promise<{ init: RealInit }>, name: string): LazyInit {
  let loader: LoaderApi | undefined;
  return (options) => {
    if (typeof window === 'undefined' || typeof document === 'undefined') {
      // A worker (or a test without a DOM): no page load to wait for. The entries' `node` condition is the server's no-op.
      const why = `${name} needs a page (window and document); in a worker import the SDK's own entry`;
      globalThis.console.warn(`[isotel] ${why}; telemetry is off`);
      return { ...noopTelemetry('', why), startSpan: noopSpan, withSpan: (s, fn) => fn(s), getActiveSpan: () => undefined };
    }
    loader = loader || createLoader(window as unknown as LoaderWindow, (_sdkUrl, ready, fail) => {
      importSdk().then((m) => ready(m.init), (err: unknown) => fail(`could not load the SDK: ${err}`));
    });
    return loader.init(options);
  };
}
