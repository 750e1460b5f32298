// Import boundaries of src/ (ARCHITECTURE.md, STYLE.md rule 5), checked by `npm run lint` and in the
// type-check step of `npm test`:
//   npx depcruise src --config .dependency-cruiser.cjs
// Every rule is an error, and there are no known violations.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'browser-not-to-node-or-collector',
      comment: 'src/browser ships to pages: it never imports the Node SDK or the ingest (both need node: built-ins).',
      severity: 'error',
      from: { path: '^src/browser/' },
      to: { path: '^src/(node|collector-endpoint)/' },
    },
    {
      name: 'node-not-to-browser-or-collector',
      comment: 'src/node is the Node SDK and engine: the browser build and the ingest sit on top of it, never under it.',
      severity: 'error',
      from: { path: '^src/node/' },
      to: { path: '^src/(browser|collector-endpoint)/' },
    },
    {
      name: 'shared-stays-shared',
      comment: 'src/shared is bundled into every entry: it imports none of them.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(browser|node|collector-endpoint)/' },
    },
    {
      name: 'collector-uses-node-entry-points',
      comment:
        'The ingest reaches the Node SDK and the delivery engine only through their public entry points ' +
        '(src/node/index.ts, src/node/engine/index.ts), so either can reorganise its internals freely.',
      severity: 'error',
      from: { path: '^src/collector-endpoint/' },
      to: {
        path: '^src/node/',
        pathNot: '^src/node/(index|engine/index)\\.ts$',
      },
    },
    {
      name: 'viewer-is-browser-code',
      comment: 'src/viewer is the explorer page `isotel serve` serves at /ui/: it talks to the server over HTTP only, never imports it.',
      severity: 'error',
      from: { path: '^src/viewer/' },
      to: { path: '^src/(node|collector-endpoint|browser)/' },
    },
    {
      name: 'nothing-imports-the-viewer',
      comment: 'The viewer is bundled on its own into dist/viewer/ and served as files: no other part imports it.',
      severity: 'error',
      from: { path: '^src/(node|collector-endpoint|browser|shared)/' },
      to: { path: '^src/viewer/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles: they make load order, tree-shaking and the split into files fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a type import across a boundary still ties the two sides together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Imports are written with .js and resolve to the .ts sources (dependency-cruiser does that itself).
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
