// Browser bundle sizes (minified + gzip -9) in the same run as their baselines, measured the same way as
// `npm run size` (issue 14): esbuild bundles `init(...)` from the built ESM file as an app's bundler would
// (tree-shaken, target es2019), and the shipped script-tag files are read as they are. Baselines: plain
// OpenTelemetry JS of the same line, logs alone (sdk-logs + OTLP/HTTP exporter), logs + zone-free tracing
// (+ sdk-trace-web with its default StackContextManager, fetch and XHR instrumentation, trace exporter) and
// the same with context-zone, bundled with the same settings.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { printTable } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KB = 1024;
const ES2019 = { target: 'es2019' };

const OTEL_LOGS = `
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'size' }), processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })] });
provider.getLogger('size').emit({ body: 'hello' });
`;
const otelTracing = (zone) => `${OTEL_LOGS}
import { WebTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-web';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
${zone ? "import { ZoneContextManager } from '@opentelemetry/context-zone';" : ''}
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { XMLHttpRequestInstrumentation } from '@opentelemetry/instrumentation-xml-http-request';
const tp = new WebTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
tp.register(${zone ? '{ contextManager: new ZoneContextManager() }' : ''});
registerInstrumentations({ instrumentations: [new FetchInstrumentation(), new XMLHttpRequestInstrumentation()] });
`;

const isotelEntry = (file) => `import { init } from ${JSON.stringify(join(ROOT, file))};
init({ endpoint: 'https://ingest.example.com', serviceName: 'size-check' });`;

async function bundledGz(contents, settings) {
  const r = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'js' },
    bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', ...settings,
    logLevel: 'error', logOverride: { bigint: 'silent' },
  });
  return gzipSync(r.outputFiles[0].contents, { level: 9 }).length;
}

const fileGz = (file) => (existsSync(join(ROOT, file)) ? gzipSync(readFileSync(join(ROOT, file)), { level: 9 }).length : undefined);

/** Sizes of both builds, against their budgets and plain OpenTelemetry. */
export async function benchSize() {
  const otelLogs = await bundledGz(OTEL_LOGS, ES2019);
  const otelAll = await bundledGz(otelTracing(false), ES2019);
  const otelZone = await bundledGz(otelTracing(true), ES2019);
  // Budgets as in scripts/size.mjs (lite's, 12,554 B, is above the 10 KB target).
  const LITE = Number((12_821 / KB).toFixed(2)); // scripts/size.mjs's lite budget
  const rows = [
    { name: 'isotel/browser/lite (import)', gz: await bundledGz(isotelEntry('dist/browser/lite.js'), ES2019), budget: LITE, base: otelLogs },
    { name: 'isotel/browser/lite (script tag)', gz: fileGz('dist/browser/isotel-lite.global.js'), budget: LITE, base: otelLogs },
    { name: 'plain OTel logs (sdk-logs + exporter)', gz: otelLogs, base: otelLogs },
    { name: 'isotel/browser (import)', gz: await bundledGz(isotelEntry('dist/browser/index.js'), ES2019), budget: 28, base: otelAll },
    { name: 'isotel/browser (script tag)', gz: fileGz('dist/browser/isotel.global.js'), budget: 28, base: otelAll },
    { name: 'plain OTel logs + tracing (fetch, XHR)', gz: otelAll, base: otelAll },
    { name: 'isotel/browser/zone (import)', gz: await bundledGz(isotelEntry('dist/browser/zone.js'), ES2019), base: otelZone },
    { name: 'isotel/browser/zone (script tag)', gz: fileGz('dist/browser/isotel-zone.global.js'), base: otelZone },
    { name: 'plain OTel logs + tracing (zone, fetch, XHR)', gz: otelZone, base: otelZone },
  ];
  printTable(
    'Browser bundle size, minified + gzip -9 (the import column is what an app bundler ships; baselines bundled the same way)',
    ['bundle', 'KB gz', 'budget KB', 'size / plain OTel'],
    rows.map((r) => [
      r.name,
      r.gz === undefined ? 'not built' : (r.gz / KB).toFixed(1),
      r.budget === undefined ? '-' : `${r.budget}${r.gz !== undefined && r.gz / KB <= r.budget ? ' ok' : ' OVER'}`,
      r.gz === undefined ? '-' : `${(r.gz / r.base).toFixed(2)}x`,
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSize();
