import { defineConfig, type Options } from 'tsup';

/**
 * The zone build (isotel/browser/zone): modern syntax, except async/await (and async generators), which are
 * lowered to generators so that zone.js can keep the trace context across `await` in the SDK's own code
 * paths. Lowering everything to ES2016 would also lower class fields: twice the cost of logger.info and
 * ~1.3 KB more.
 */
const ZONE_TARGET = {
  target: 'es2022',
  esbuildOptions(o: { supported?: Record<string, boolean> }) {
    o.supported = { ...o.supported, 'async-await': false, 'async-generator': false, 'for-await': false };
  },
} as const;
/**
 * isotel/browser (zone-free) and lite have no zone.js: nothing is lowered (lowering cost lite 0.4 KB gzipped).
 * Apps bundle them for their own targets; `npm run size` measures them as bundled for es2019.
 */
const MODERN_TARGET = { target: 'es2022' } as const;

/** What every Node build shares: Node 20, source maps, no shared chunks, the database clients left out. */
const NODE: Options = {
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // `npm run build` empties dist/ first: a config's clean would also delete the .d.ts files that other
  // configs (built in parallel) wrote before its own declaration build started.
  clean: false,
  splitting: false,
  external: ['pg', 'pg-copy-streams', '@elastic/elasticsearch'],
};
/** CommonJS builds read import.meta.url only where __filename is undefined, i.e. never: no warning for it. */
const quietImportMeta = (o: { logOverride?: Record<string, string> }) => {
  o.logOverride = { ...o.logOverride, 'empty-import-meta': 'silent' };
};

/**
 * The lazy entries' `import('./index.js')` / `import('./lite.js')` stay imports of the built files beside them
 * (dist/browser), so the app's bundler puts the SDK in a chunk of its own instead of this build inlining it.
 */
const sdkImportKept = {
  name: 'sdk-import-kept',
  setup(b: { onResolve(o: { filter: RegExp }, fn: (a: { path: string; importer: string; kind: string }) => object | undefined): void }) {
    b.onResolve({ filter: /^\.\/(index|lite)\.js$/ }, (a) => (a.kind === 'dynamic-import' && /lazy\.ts$/.test(a.importer) ? { path: a.path, external: true } : undefined));
  },
};

export default defineConfig([
  {
    entry: {
      'node/index': 'src/node/index.ts',
      'collector/index': 'src/collector-endpoint/index.ts',
      'collector/cli': 'src/collector-endpoint/cli.ts',
      // Started by the ingest as a worker thread (dispatch-thread.ts finds it beside the bundle).
      'collector/dispatch-worker': 'src/collector-endpoint/dispatch-worker.ts',
      // The filesystem backend's writer thread (file-writer/spawn.ts finds it beside the bundle).
      'node/file-writer-worker': 'src/node/file-writer/worker.ts',
      // isotel/browser, /lite and /zone under the `node` condition (server-side rendering): an init that does nothing.
      'browser/server': 'src/browser/server.ts',
    },
    format: ['esm', 'cjs'],
    dts: { entry: { 'node/index': 'src/node/index.ts', 'collector/index': 'src/collector-endpoint/index.ts', 'browser/server': 'src/browser/server.ts' } },
    ...NODE,
    esbuildOptions(o, { format }) {
      if (format === 'cjs') quietImportMeta(o);
    },
  },
  // isotel/node/auto: one entry per format, because the ESM one awaits at top level (the loader hook must know
  // the instrumented modules before the app's first import) and CommonJS cannot.
  {
    entry: { 'node/auto': 'src/node/auto.ts' },
    format: ['esm'],
    dts: { entry: { 'node/auto': 'src/node/auto.ts' } },
    ...NODE,
  },
  {
    entry: { 'node/auto': 'src/node/auto-require.ts' },
    format: ['cjs'],
    // auto.d.cts: CommonJS consumers get CommonJS-shaped declarations (arethetypeswrong, "masquerading as ESM").
    dts: { entry: { 'node/auto': 'src/node/auto-require.ts' } },
    ...NODE,
    esbuildOptions: quietImportMeta,
  },
  // Each browser entry is built on its own (no shared chunk), so only the zone one is lowered for zone.js.
  ...(
    [
      ['index', 'src/browser/index.ts', MODERN_TARGET],
      ['lite', 'src/browser/lite.ts', MODERN_TARGET],
      ['zone', 'src/browser/zone.ts', ZONE_TARGET],
      ['metrics', 'src/browser/metrics.ts', MODERN_TARGET],
      ['lazy', 'src/browser/lazy.ts', MODERN_TARGET],
      ['lite-lazy', 'src/browser/lite-lazy.ts', MODERN_TARGET],
    ] as const
  ).map(([name, entry, target]) => ({
    entry: { [`browser/${name}`]: entry },
    format: ['esm' as const],
    esbuildPlugins: [sdkImportKept],
    dts: true,
    platform: 'browser' as const,
    ...target,
    sourcemap: true,
    clean: false,
    treeshake: true,
  })),
  ...(
    [
      ['isotel', 'src/browser/global.ts', MODERN_TARGET],
      ['isotel-lite', 'src/browser/lite-global.ts', MODERN_TARGET],
      ['isotel-zone', 'src/browser/zone-global.ts', ZONE_TARGET],
      ['isotel-loader', 'src/browser/loader-global.ts', MODERN_TARGET],
    ] as const
  ).map(([name, entry, target]) => ({
    entry: { [`browser/${name}`]: entry },
    // No globalName: the entry assigns globalThis.Isotel itself.
    format: ['iife' as const],
    platform: 'browser' as const,
    ...target,
    // Terser, not esbuild: the script files are minified as a whole, and terser's output is 5% smaller
    // gzipped there (2.5 KB for the full script, 0.45 KB for lite; zone.js alone 0.7 KB).
    minify: 'terser' as const,
    // sourceMap: terser returns its map and tsup chains it onto esbuild's; without it the shipped .map was
    // esbuild's map of the unminified bundle (8,295 lines for a 10-line file).
    terserOptions: { compress: { passes: 3 }, sourceMap: true },
    sourcemap: true,
    clean: false,
    outExtension: () => ({ js: '.global.js' }),
  })),
]);
