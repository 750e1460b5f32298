import { afterEach, describe, expect, it } from 'vitest';
import { createDiag } from '../../../shared/diag.js';
import type { MetricPoint } from '../../../shared/model.js';
import { freePort } from '../../metrics/testing.js';
import { withSignalCheck } from '../signals.js';
import type { Backend } from '../types.js';
import { createPrometheusBackend } from './backend.js';

const counter = (value: number, attributes = {}): MetricPoint => ({
  point_id: `p-${value}-${JSON.stringify(attributes)}`,
  name: 'web.clicks',
  type: 'sum',
  temporality: 'delta',
  monotonic: true,
  time: '2026-12-07T01:00:00.000Z',
  attributes,
  resource: { 'service.name': 'web' },
  scope: { name: 'web' },
  value,
});
const log = { record_id: 'log-1', timestamp: '2026-12-07T01:00:00.000Z', observed_timestamp: '2026-12-07T01:00:00.000Z', severity_number: 9, severity_text: 'INFO', body: 'x', attributes: {}, resource: {}, scope: { name: 's' } };

let backend: Backend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

async function open(config: { max_series?: number } = {}) {
  const port = await freePort();
  const diag = createDiag(() => undefined);
  backend = await createPrometheusBackend({ port, host: '127.0.0.1', max_series: config.max_series ?? 100, stale_after: 300 }, { dataDir: '/tmp', diag });
  return { url: `http://127.0.0.1:${port}/metrics`, diag, backend };
}

describe('prometheus backend', () => {
  it('serves the aggregated points in the text format, or OpenMetrics when the scrape asks for it', async () => {
    const { url, backend: b } = await open();
    expect(b.signals).toEqual(['metric']);
    expect((await b.write({ logs: [], spans: [], metrics: [counter(2), counter(3)] })).status).toBe('success');
    const text = await fetch(url);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await text.text()).toContain('\nweb_clicks_total{job="web"} 5\n');
    const om = await fetch(url, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const body = await om.text();
    expect(body).toContain('# TYPE web_clicks counter');
    expect(body.endsWith('# EOF\n')).toBe(true);
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('skips logs and spans (no dead letter: the engine signal check), and refuses points beyond max_series, counted', async () => {
    const { diag, backend: b } = await open({ max_series: 1 });
    const checked = withSignalCheck(b);
    const r = await checked.write({ logs: [log], spans: [], metrics: [counter(1, { a: 1 }), counter(1, { a: 2 })] });
    expect(r.status).toBe('failure');
    const reasons = r.status === 'failure' ? r.reasons.map((x) => `${x.id}: ${x.reason}`) : [];
    expect(reasons).toEqual([`p-1-{"a":2}: series limit 1 reached (max_series); point of a new series refused`]);
    expect(await checked.write({ logs: [log], spans: [], metrics: [] })).toEqual({ status: 'success' });
    expect(diag.counters()['prometheus.series_dropped']).toBe(1);
  });

  it('fails at start-up, naming the port, when the port is taken', async () => {
    const { backend: b } = await open();
    const port = Number(b.name.split(':').pop());
    const diag = createDiag(() => undefined);
    await expect(createPrometheusBackend({ port, host: '127.0.0.1', max_series: 1, stale_after: 0 }, { dataDir: '/tmp', diag })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+ \(port\)/);
  });
});
