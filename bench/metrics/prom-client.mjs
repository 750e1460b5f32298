// prom-client: a Counter and a Histogram on a registry of their own, labels named up front (prom-client's
// label names cannot hold dots, so the same three values go under underscore names).
import client from 'prom-client';
import { BOUNDARIES, SETS, timeOps, value, report, attrsOf } from './shape.mjs';

const registers = [new client.Registry()];
const labelNames = ['http_request_method', 'http_route', 'http_response_status_code'];
const LABELS = SETS.map((s) => ({ http_request_method: s['http.request.method'], http_route: s['http.route'], http_response_status_code: s['http.response.status_code'] }));
const counter = new client.Counter({ name: 'bench_requests_total', help: 'bench', labelNames, registers });
const histogram = new client.Histogram({ name: 'bench_duration_seconds', help: 'bench', labelNames, buckets: BOUNDARIES, registers });
const attrs = attrsOf(LABELS);
const counter_ = timeOps((i) => counter.inc(attrs(i), 1));
const histogram_ = timeOps((i) => histogram.observe(attrs(i), value(i)));
const { values } = await counter.get();
report(counter_, histogram_, values.reduce((n, v) => n + v.value, 0));
